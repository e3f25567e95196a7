// Gradient sparsification for communication-reduced SGD, as pure functions (run: called by
// sim/algorithms/sparsified_asgd.cpp on every update): Top-k, Random-k (optionally rescaled by d/k
// to be unbiased) and error feedback. Spec "Elastic consistency" (Nadiradze et al., arXiv 2001.05918).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "objectives/objective.hpp"
#include "sim/random/rng.hpp"

namespace dasgd {

enum class SparsifierKind { top_k, random_k };

std::string to_string(SparsifierKind kind);

// A sparse update as it travels on the wire: k coordinates (ascending) and their values.
struct SparseUpdate {
  std::vector<Eigen::Index> indices;
  std::vector<double> values;
};

// Indices of the k largest |v_j|, returned in ascending index order. Ties in |v_j| go to the lower
// index, so the choice is a function of v alone (|a| > |b|, or |a| = |b| and i < j, is a strict
// total order). O(d + k log k). Throws std::invalid_argument unless 0 <= k <= d.
void select_top_k(ConstVectorRef v, Eigen::Index k, std::vector<Eigen::Index>& indices);

// k distinct coordinates of {0..d−1}, uniform over all k-subsets, in ascending order, drawn with a
// partial Fisher–Yates shuffle of `permutation` (any permutation of 0..d−1, kept between calls: a
// partial shuffle of any permutation yields a uniform subset, so it needs no reset and costs O(k)
// draws plus O(k log k) to sort). Draws exactly k values rng.below(d − r), r = 0..k−1.
// Throws std::invalid_argument unless 0 <= k <= d = permutation.size().
void select_random_k(Eigen::Index k, Rng& rng, std::vector<Eigen::Index>& permutation,
                     std::vector<Eigen::Index>& indices);

// The identity permutation 0..d−1 (the initial state for select_random_k).
std::vector<Eigen::Index> identity_permutation(Eigen::Index d);

// Fills update.values with scale · v_j for j in update.indices (computed as scale * v_j).
void gather(ConstVectorRef v, double scale, SparseUpdate& update);

// x ← x − Δ for the sparse Δ in `update` (x_j − value, per coordinate).
void subtract(const SparseUpdate& update, VectorRef x);

// Error feedback (Karimireddy et al. 2019; spec "Elastic consistency"): with memory e,
//   p = e + η g,  Δ = scale · C(p) on the coordinates `update.indices` chosen from p,  e ← p − Δ.
// On return `memory` holds e_new and update.values holds Δ. With scale = 1 the memory is exactly
// zero on the sent coordinates and exactly p elsewhere, so e_new + Δ == e_old + η g bit for bit.
// `select` is called with p to choose the indices (Top-k of p, or a Random-k draw).
template <typename Select>
void error_feedback_step(VectorRef memory, ConstVectorRef gradient, double eta, double scale,
                         Select&& select, SparseUpdate& update) {
  memory += eta * gradient;  // p, stored in place
  select(ConstVectorRef(memory), update.indices);
  update.values.resize(update.indices.size());
  for (std::size_t r = 0; r < update.indices.size(); ++r) {
    const Eigen::Index j = update.indices[r];
    const double p = memory(j);
    const double sent = scale == 1.0 ? p : scale * p;
    update.values[r] = sent;
    memory(j) = scale == 1.0 ? 0.0 : p - sent;
  }
}

// Nonzero values in an update (what actually moves the model; <= k).
std::size_t nonzeros(const SparseUpdate& update);

}  // namespace dasgd
