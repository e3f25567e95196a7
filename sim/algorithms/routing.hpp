// Routed delivery: one message per destination along a shortest (fewest-hop) path from the source.
// Two ways to simulate it, with the same arrival law (see docs/ROUTED_DELIVERY.md):
//  - ShortestPathRouter::broadcast, the per-hop path walk: every hop of every destination's path is
//    its own transmission (store-and-forward). Needed where one hop's time depends on the other
//    messages on the link (FIFO clocks); about Σ distances transmissions per broadcast (n²/4 on a
//    ring).
//  - TreeBroadcast, one draw per arc of the shortest-path tree: arrival[v] = arrival[parent(v)] +
//    hop time of the arc parent(v) -> v, expanded lazily in time order, n − 1 draws per broadcast.
//    Each destination's arrival is the same floating-point sum as in the walk (bit-identical with a
//    deterministic law) and, with a random law, still a sum of independent hop draws.
// Both use the same tree: BFS in increasing id order, ties between equally short paths go to the
// lowest-numbered parent; the BFS stops as soon as every node is reached (a complete graph costs
// O(n)). Nodes the source cannot reach "arrive" at the send time, as they always have.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "sim/delay/network.hpp"
#include "sim/engine/event.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

class LinkFaults;  // sim/faults/link_faults.hpp

// The shortest-path tree from one source, in BFS order (position 0 is the source). The children of
// the node at position p are the positions [first_child(p), first_child(p + 1)): BFS discovers
// them together. One 16-byte entry per position (and a sentinel) keeps a hop to one cache line.
struct ShortestPathTree {
  struct Position {
    NodeId node = 0;
    std::uint32_t first_child = 0;
    ArcId arc = 0;  // the arc parent -> node (unused for the source)
  };
  NodeId source = 0;
  std::vector<Position> positions;   // reached nodes in BFS order, then a sentinel
  std::vector<NodeId> unreached;     // nodes the source cannot reach, increasing id
  std::uint64_t hops = 0;            // Σ of the depths: link transmissions of the path walk

  std::size_t reached() const noexcept { return positions.size() - 1; }
  NodeId node(std::size_t p) const noexcept { return positions[p].node; }
  std::uint32_t first_child(std::size_t p) const noexcept { return positions[p].first_child; }
  std::size_t bytes() const noexcept {
    return positions.capacity() * sizeof(Position) + unreached.capacity() * sizeof(NodeId) +
           sizeof(*this);
  }
};

ShortestPathTree shortest_path_tree(const Topology& topology, NodeId source);
// The same with the caller's scratch (reused across calls).
ShortestPathTree shortest_path_tree(const Topology& topology, NodeId source,
                                    std::vector<std::uint8_t>& seen, std::vector<std::uint32_t>& depth);
// The same over the arcs `up` accepts: the live graph under link outages (routes on the live
// graph; nodes it cannot reach are listed in `unreached`). O(n + m) per call.
ShortestPathTree shortest_path_tree(const Topology& topology, NodeId source,
                                    const std::function<bool(ArcId)>& up);

// Per-source trees, shared by every broadcast in flight from that source and freed when the last one
// is delivered; on top of those, up to `keep_bytes` of trees stay cached after use. With long-lived
// broadcasts (a ring: each source always has some in flight) a source's tree is built once; with
// short-lived ones (a complete graph) it is rebuilt per broadcast, an O(n) BFS that stops once all
// nodes are reached, and memory stays at the trees in use.
class ShortestPathTrees {
 public:
  ShortestPathTrees(const Topology& topology, std::size_t keep_bytes);
  std::shared_ptr<const ShortestPathTree> get(NodeId source);
  std::size_t kept_bytes() const noexcept { return kept_bytes_; }

 private:
  const Topology* topology_;
  std::size_t keep_bytes_;
  std::size_t kept_bytes_ = 0;
  std::vector<std::weak_ptr<const ShortestPathTree>> in_use_;
  std::vector<std::shared_ptr<const ShortestPathTree>> kept_;
  std::vector<std::uint8_t> seen_;     // BFS scratch
  std::vector<std::uint32_t> depth_;
};

// The tree a routed broadcast from `source` sent at `now` runs over: the shared per-source tree, or
// under link outages (faults->outages_on()) a fresh one on the edges up at `now` (routes on the live
// graph, O(n + m) per broadcast). `faults` may be null. Used by DASGD and sparsified ASGD.
std::shared_ptr<const ShortestPathTree> broadcast_tree(ShortestPathTrees& trees, const Topology& topology,
                                                       NodeId source, SimTime now, LinkFaults* faults);

class ShortestPathRouter {
 public:
  explicit ShortestPathRouter(const Topology& topology);

  // The per-hop path walk. Arrival time at every node of one message per destination sent from
  // `source` at `now` (arrival[source] = now). Each destination's message crosses every link of its
  // path as its own transmission, so per-hop latency draws are independent per destination.
  // Returns the number of link transmissions made.
  std::uint64_t broadcast(NodeId source, SimTime now, double bytes, Network& network,
                          std::vector<SimTime>& arrival);
  // Routed delivery as DASGD simulates it: where the network needs no per-hop walk
  // (!network.needs_per_hop_routing()), arrival[v] = arrival[parent(v)] + tree hop (one draw per
  // tree arc, the same times as TreeBroadcast's lazy expansion of the same broadcast); otherwise
  // the walk. Returns the walk's transmission count (Σ distances) either way.
  std::uint64_t deliver(NodeId source, SimTime now, double bytes, Network& network,
                        std::vector<SimTime>& arrival);

 private:
  const Topology* topology_;
  std::vector<NodeId> order_;       // BFS order from the last source
  std::vector<NodeId> parent_;
  std::vector<ArcId> parent_arc_;
  std::vector<std::uint32_t> stamp_;
  std::uint32_t current_stamp_ = 0;
  std::vector<ArcId> path_;         // scratch: arcs of one path, destination first
  std::vector<std::uint32_t> depth_;
};

// One broadcast over a shortest-path tree, expanded lazily in time order: it holds only the
// frontier (tree nodes whose arrival time is drawn but not yet reached) and the destinations of the
// current instant. It hands out batches in the order the per-destination schedule would run them:
// by arrival time, and at one instant by increasing destination id; a batch is a maximal run of
// destinations with equal arrival time that are consecutive in the list 0..n−1 without the source
// (exactly the routed "one event per run of equal arrival times" of the path walk).
//
// Under link faults (network.faults() set): each tree arc's hop is one LinkFaults::hop(); a copy
// lost on arc parent(v) -> v is lost for v's whole subtree (one multicast copy crosses the arc, as
// the one latency draw per arc already models), at the moment the hop reports. Such destinations
// come out of next_batch() with lost_flag set, at that moment, in the same time order as
// deliveries; nodes the source cannot reach are lost at the send. Each destination's loss law is
// the path walk's (lost unless every hop of its path gets through); the joint law is the tree's.
class TreeBroadcast {
 public:
  static constexpr NodeId lost_flag = NodeId{1} << 31;  // in a batch: this destination lost its copy
  // Starts a broadcast of `bytes` from tree->source at `now`. Draws hop times from `network`
  // (which must not be FIFO) as the expansion reaches each arc. `tree` must outlive the broadcast.
  // Takes the broadcast's index from network.next_broadcast(tree.source).
  void start(const ShortestPathTree& tree, SimTime now, double bytes, Network& network);
  bool done() const noexcept { return cursor_ >= instant_.size(); }
  SimTime next_time() const noexcept { return instant_time_; }
  // The next batch; valid until advance(), which must follow before the next call.
  std::span<const NodeId> next_batch() noexcept;
  // Moves past the batch handed out; expands the next instant once this one is spent.
  void advance(Network& network) {
    cursor_ = batch_end_;
    if (cursor_ >= instant_.size()) expand(network);
  }

 private:
  // A vector with room for N elements inline: a ring's broadcast never leaves it (frontier of two,
  // two destinations per instant), so one broadcast's state is two cache lines.
  template <typename T, std::uint32_t N>
  class SmallVector {
   public:
    SmallVector() = default;
    SmallVector(const SmallVector& other) { *this = other; }
    SmallVector& operator=(const SmallVector& other) {
      if (this != &other) {
        clear();
        for (const T& x : other) push_back(x);
      }
      return *this;
    }
    ~SmallVector() { if (data_ != inline_) delete[] data_; }
    T* begin() noexcept { return data_; }
    T* end() noexcept { return data_ + size_; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T& front() noexcept { return data_[0]; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    void clear() noexcept { size_ = 0; }
    void pop_back() noexcept { --size_; }
    void push_back(const T& x) {
      if (size_ == capacity_) grow();
      data_[size_++] = x;
    }

   private:
    void grow() {
      const std::uint32_t capacity = 2 * capacity_;
      T* data = new T[capacity];
      std::copy(data_, data_ + size_, data);
      if (data_ != inline_) delete[] data_;
      data_ = data;
      capacity_ = capacity;
    }
    T inline_[N];
    T* data_ = inline_;
    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = N;
  };

  void expand(Network& network);  // fills instant_ with the next arrival time's destinations
  void lose_subtree(std::uint32_t position);  // adds position's subtree to instant_, flagged lost
  static constexpr std::uint32_t lost_position = std::uint32_t{1} << 31;  // frontier: lost there
  NodeId next_in_list(NodeId j) const noexcept;

  const ShortestPathTree* tree_ = nullptr;
  double bytes_ = 0;
  std::uint64_t broadcast_ = 0;  // this broadcast's index among its source's
  SimTime instant_time_ = 0;
  std::uint32_t cursor_ = 0;
  std::uint32_t batch_end_ = 0;
  SimTime frontier_bound_ = 0;  // >= every frontier time: min == bound means all are equal
  SmallVector<std::pair<SimTime, std::uint32_t>, 3> frontier_;  // min-heap of (arrival, position)
  SmallVector<NodeId, 4> instant_;  // destinations at instant_time_, increasing id
  static thread_local std::vector<std::uint32_t> work_;  // scratch: positions at one instant
  static thread_local std::vector<std::uint32_t> lost_work_;  // scratch: a lost subtree
};

// The routed batches waiting to run, one entry per broadcast in flight, earliest first: by time,
// then by sequence (see Dasgd). A 4-ary heap (half the depth of a binary one, the four children in
// two cache lines) with replace_top: a batch that runs is most often replaced by its broadcast's
// next one, one sift-down instead of a pop and a push.
class PendingBatches {
 public:
  struct Entry {
    SimTime time;
    std::uint64_t sequence;
    std::uint32_t slot;
  };
  static bool before(const Entry& a, const Entry& b) noexcept {
    return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
  }
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  const Entry& top() const noexcept { return heap_.front(); }
  const Entry& operator[](std::size_t i) const noexcept { return heap_[i]; }  // i < size(); [0] = top
  void push(const Entry& entry) {
    std::size_t i = heap_.size();
    heap_.push_back(entry);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!before(entry, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = entry;
  }
  void pop() {
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(last);
  }
  // pop() then push(entry), for an entry not before the top.
  void replace_top(const Entry& entry) { sift_down(entry); }
  // Before the engine runs `event` (with batches pending): runs, through `run` (which runs the top
  // batch and pops or replaces it), every batch the per-destination schedule would have run before
  // the event. A tick (type `tick`) runs the earliest batch if it is due, not after the tick's own
  // key (a tick whose batch already ran ahead of an earlier event finds none), and is consumed:
  // returns true. Shared by DASGD and sparsified ASGD, so both run batches in the same order.
  template <typename Run>
  bool run_before(const Event& event, std::uint32_t tick, Run&& run) {
    const Entry now{event.time, event.sequence, 0};
    if (event.type == tick) {
      if (!before(now, top())) run();
      return true;
    }
    while (!empty() && before(top(), now)) run();
    return false;
  }

 private:
  void sift_down(const Entry& entry) {
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    while (true) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = std::min(first + 4, n);
      for (std::size_t c = first + 1; c < end; ++c)
        if (before(heap_[c], heap_[best])) best = c;
      if (!before(heap_[best], entry)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = entry;
  }
  std::vector<Entry> heap_;
};

}  // namespace dasgd
