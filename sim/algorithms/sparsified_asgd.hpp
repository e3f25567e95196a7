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
//
// Faults (docs/FAULTS.md), DASGD's rules: a crash loses the computation in progress; a copy reaching
// a down node is dropped or held; recovery `keep` keeps the model and the error-feedback memory e_i
// (both are the node's persisted state), `initial` restarts from x_0 with e_i = 0. Under link faults
// the broadcast runs over DASGD's shortest-path trees (TreeBroadcast, one LinkFaults::hop per tree
// arc, expanded lazily in time order), so a lost arc loses the copy for its whole subtree and the
// observer hears on_gradient_lost; with k = d the run is DASGD's, fault draw for fault draw.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/asynchronous_algorithm.hpp"
#include "sim/algorithms/routing.hpp"
#include "sim/algorithms/sparsifier.hpp"

namespace dasgd {

class LinkFaults;    // sim/faults/link_faults.hpp
class LiveSnapshot;  // sim/faults/live_topology.hpp
class NodeAvailability;  // sim/faults/node_availability.hpp

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

class SparsifiedAsgd final : public WaitFreeAlgorithm {
 public:
  // routed_batch (link faults only): a tick of tree delivery, as DASGD's (docs/ROUTED_DELIVERY.md).
  enum EventType : std::uint32_t { compute_done = compute_done_event, arrival = 2, routed_batch = 4 };

  // Throws std::invalid_argument naming /algorithm/k or /algorithm/gamma when k is not in 1..d.
  SparsifiedAsgd(const World& world, const SparsifiedAsgdParams& params, GradientObserver* observer);

  std::string name() const override { return "sparsified_asgd"; }
  void start(Simulator& simulator) override;
  void handle(Simulator& simulator, const Event& event) override;


  double virtual_step() const override { return params_.eta; }
  std::vector<AlgorithmFigure> figures() const override;
  // Node faults: a crash loses the gradient in progress (e_i is untouched: it changes only at a
  // completion); recovery keep (model and e_i as they were) or initial (x_0 and e_i = 0).
  void node_down(Simulator& simulator, NodeId node) override { computations_.abort(simulator, node); }
  void node_up(Simulator& simulator, NodeId node) override;
  void node_resume(Simulator& simulator, NodeId node) override;

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

  void complete_compute(Simulator& simulator, NodeId node);
  void sparsify(NodeId node, SparseUpdate& update);
  void send(Simulator& simulator, NodeId origin, std::uint32_t slot);
  void send_live(Simulator& simulator, NodeId origin, std::uint32_t slot);  // graph.dynamic
  void receive(Simulator& simulator, NodeId node, std::uint32_t slot);
  [[gnu::noinline]] void handle_with_faults(Simulator& simulator, const Event& event);
  void release(std::uint32_t slot);  // one use of the message fewer; recycled at the last
  std::uint32_t acquire_message();
  // Link faults: the broadcast over a shortest-path tree (DASGD's machinery, sim/algorithms/routing.hpp).
  void send_over_tree(Simulator& simulator, NodeId origin, std::uint32_t slot);
  void run_routed_batch(Simulator& simulator);
  // With node faults: true if `node` is down at a tree delivery; its copy is then held or dropped.
  bool down_at_arrival(SimTime now, NodeId node, std::uint32_t slot);

  SparsifiedAsgdParams params_;
  Eigen::Index k_;
  double scale_;                 // d/k for rescaled Random-k, else 1
  double message_bytes_;
  double dense_message_bytes_;   // d·8 + header: what DASGD sends

  Eigen::MatrixXd memories_;     // column i: e_i (error feedback)
  Vector observed_;              // scratch: Δ/η for the "sent" virtual sequence
  std::vector<Rng> choices_;                  // per node: Stream::algorithm (Random-k)
  std::vector<std::vector<Eigen::Index>> permutations_;  // per node: Random-k shuffle state
  std::vector<Eigen::Index> scratch_indices_;
  std::vector<SimTime> arrival_scratch_;

  std::vector<Message> messages_;             // pool: slots recycled, never freed per event
  std::vector<std::uint32_t> free_messages_;
  std::unique_ptr<ShortestPathRouter> router_;
  std::uint64_t nonzeros_sent_ = 0;           // Σ over updates of nnz(Δ)
  std::uint64_t updates_ = 0;
  std::shared_ptr<LiveSnapshot> route_graph_;  // graph.dynamic: the snapshot router_ routes on
  std::uint64_t unreachable_ = 0;             // graph.dynamic: copies lost at the send
  std::uint64_t route_rebuilds_ = 0;

  NodeAvailability* availability_;  // world_.availability: null without node faults
  LinkFaults* faults_;              // network.faults(): null on a perfect network
  bool faulty_;                     // either: events go through handle_with_faults
  // Link faults only: tree delivery, as DASGD's (shared trees; one per broadcast under outages).
  std::unique_ptr<ShortestPathTrees> trees_;
  std::vector<TreeBroadcast> broadcasts_;                                 // by message slot
  std::vector<std::shared_ptr<const ShortestPathTree>> broadcast_trees_;  // by slot, while in flight
  PendingBatches pending_;
  std::vector<NodeId> batch_scratch_;
};

}  // namespace dasgd
