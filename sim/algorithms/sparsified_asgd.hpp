// Sparsified asynchronous SGD (seed 001: Nadiradze, Markov, Chatterjee, Kungurtsev, Alistarh,
// "Elastic Consistency", AAAI 2021, arXiv 2001.05918; spec "Elastic consistency"): DASGD's wait-free
// broadcast (each node applies its own update at completion and routes it to every other node over
// shortest paths, applied on arrival) where every update is sparsified to k coordinates:
//   without error feedback  Δ = η C(g),                      x ← x − Δ (here and at receivers);
//   with error feedback     p = e + η g, Δ = C(p), e ← p − Δ, x ← x − Δ (Δ is what is sent),
// C = Top-k or Random-k (optionally × d/k). A message is k indices (4 bytes) + k values (8 bytes) +
// a header. Gradient sets: the message of gradient t carries t, applied once per node, as in DASGD.
//
// Virtual sequence (what B_t² = ‖x_t − v_t‖²/η² is measured against; virtual_step() = η):
//   full  x_{t+1} = x_t − η g_t with the full gradient: the paper's sequence. With error feedback it
//         is the perturbed iterate x − Σ_i e_i − (updates in flight), so B carries the memories'
//         mass (the paper: B grows like 1/γ with EF). Without EF it also carries every dropped
//         coordinate, so B grows with t: the method does not follow the full-gradient sequence.
//   sent  x_{t+1} = x_t − Δ_t: the model every node reaches once the network drains; B then
//         measures delay alone, as for DASGD (the gradient passed to observers is Δ_t/η).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/node_computations.hpp"
#include "sim/algorithms/routing.hpp"
#include "sim/algorithms/sparsifier.hpp"

namespace dasgd {

class LiveSnapshot;  // sim/faults/live_topology.hpp

enum class VirtualGradient { full, sent };

std::string to_string(VirtualGradient kind);

struct SparsifiedAsgdParams {
  double eta = 0.01;                        // step size η
  SparsifierKind sparsifier = SparsifierKind::top_k;
  Eigen::Index k = 0;                       // coordinates sent; 0: use gamma
  double gamma = 0;                         // k = max(1, round(γ d)) when k == 0
  bool rescale = false;                     // Random-k × d/k (unbiased)
  bool error_feedback = false;
  VirtualGradient virtual_gradient = VirtualGradient::full;
  double header_bytes = 32;                 // message = 12 k bytes + header
};

class SparsifiedAsgd final : public Algorithm {
 public:
  enum EventType : std::uint32_t { compute_done = 1, arrival = 2 };

  // Throws std::invalid_argument naming /algorithm/k or /algorithm/gamma when k is not in 1..d.
  SparsifiedAsgd(const World& world, const SparsifiedAsgdParams& params, GradientObserver* observer);

  std::string name() const override { return "sparsified_asgd"; }
  void start(Simulator& simulator) override;
  void stop_computing() override { computations_.stop(); }
  void set_gradient_budget(std::uint64_t per_node) override { computations_.set_budget(per_node, num_nodes()); }
  bool budget_spent() const override { return computations_.budget_spent(); }
  void handle(Simulator& simulator, const Event& event) override;

  std::size_t num_nodes() const override { return n_; }
  ConstVectorRef model(NodeId node) const override { return models_.col(node); }
  std::uint64_t gradients_completed() const override { return computations_.completed(); }
  std::uint64_t gradients_of(NodeId node) const override { return computations_.completed_by(node); }
  const TrafficCounters& traffic() const override { return traffic_; }

  double virtual_step() const override { return params_.eta; }
  std::vector<AlgorithmFigure> figures() const override;

  Eigen::Index k() const noexcept { return k_; }
  double message_bytes() const noexcept { return message_bytes_; }
  double dense_message_bytes() const noexcept { return dense_message_bytes_; }
  // Error-feedback memory e_i (zero without error feedback).
  ConstVectorRef memory(NodeId node) const { return memories_.col(node); }

 private:
  struct Message {
    SparseUpdate update;
    std::uint64_t gradient = 0;
    std::uint32_t outstanding = 0;
  };

  void begin_compute(Simulator& simulator, NodeId node);
  void complete_compute(Simulator& simulator, NodeId node);
  void sparsify(NodeId node, SparseUpdate& update);
  void send(Simulator& simulator, NodeId origin, std::uint32_t slot);
  void send_live(Simulator& simulator, NodeId origin, std::uint32_t slot);  // graph.dynamic
  void receive(Simulator& simulator, NodeId node, std::uint32_t slot);
  std::uint32_t acquire_message();

  World world_;
  SparsifiedAsgdParams params_;
  GradientObserver* observer_;
  NodeComputations computations_;  // the wait-free compute loop (gradients, noise, numbering)
  std::size_t n_;
  Eigen::Index d_;
  Eigen::Index k_;
  double scale_;                 // d/k for rescaled Random-k, else 1
  double message_bytes_;
  double dense_message_bytes_;   // d·8 + header: what DASGD sends

  Eigen::MatrixXd models_;       // column i: x_i
  Eigen::MatrixXd memories_;     // column i: e_i (error feedback)
  Vector observed_;              // scratch: Δ/η for the "sent" virtual sequence
  std::vector<Rng> choices_;                  // per node: Stream::algorithm (Random-k)
  std::vector<std::vector<Eigen::Index>> permutations_;  // per node: Random-k shuffle state
  std::vector<Eigen::Index> scratch_indices_;
  std::vector<SimTime> arrival_scratch_;

  std::vector<Message> messages_;             // pool: slots recycled, never freed per event
  std::vector<std::uint32_t> free_messages_;
  std::unique_ptr<ShortestPathRouter> router_;
  TrafficCounters traffic_;
  std::uint64_t nonzeros_sent_ = 0;           // Σ over updates of nnz(Δ)
  std::uint64_t updates_ = 0;
  std::shared_ptr<LiveSnapshot> route_graph_;  // graph.dynamic: the snapshot router_ routes on
  std::uint64_t unreachable_ = 0;             // graph.dynamic: copies lost at the send
  std::uint64_t route_rebuilds_ = 0;
};

}  // namespace dasgd
