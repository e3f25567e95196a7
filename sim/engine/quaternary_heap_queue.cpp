// 4-ary heap behind EventQueue: push() and pop() are inline in quaternary_heap_queue.hpp, so that
// the simulator's event loop inlines them through the final type (see simulator.cpp).
#include "sim/engine/quaternary_heap_queue.hpp"
