// Descriptions of coordinate laws; see coordinate_law.hpp.
#include "objectives/coordinate_law.hpp"

#include <sstream>

namespace dasgd {

std::string describe(const CoordinateLaw& law) {
  std::ostringstream out;
  out.precision(17);
  switch (law.kind) {
    case CoordinateLaw::Kind::constant: out << "constant(" << law.a << ")"; break;
    case CoordinateLaw::Kind::normal: out << "normal(mean " << law.a << ", std " << law.b << ")"; break;
    case CoordinateLaw::Kind::uniform: out << "uniform(" << law.a << ", " << law.b << ")"; break;
  }
  return out.str();
}

}  // namespace dasgd
