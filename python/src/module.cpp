// dasgd._dasgd: the native half of the Python package (python/dasgd/ is the other). Each call
// converts its arguments, releases the GIL for the C++ work (python/src/calls.hpp), and converts
// the tables to dicts of numpy arrays with the GIL held again. Errors become the package's
// exceptions (python/dasgd/_errors.py): ConfigError with the JSON path and the CLI's message,
// OutputDirectoryError, and RunInterrupted (a KeyboardInterrupt) for a second signal while writing.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>

#include "python/src/calls.hpp"
#include "sim/output/run_directory.hpp"
#include "sim/run/interrupt.hpp"

namespace py = pybind11;

namespace dasgd::python {

namespace {

// JSON → Python through the json module: numbers come back as the same doubles (both sides
// round-trip), and null, NaN-free by construction (the writers store null for them).
py::object to_python(const nlohmann::json& value) {
  return py::module_::import("json").attr("loads")(value.dump());
}

// One column as numpy, by what its cells hold: integers only → int64 (uint64 when one exceeds
// int64); numbers, with empty cells as NaN → float64; "true"/"false" only → bool; else strings
// (object array, numbers as their CSV text). An empty column is float64.
py::object column_array(const std::vector<CsvCell>& cells) {
  std::size_t strings = 0, empties = 0, doubles = 0, negatives = 0, big = 0, booleans = 0;
  for (const CsvCell& cell : cells) {
    const CsvCell::Value& v = cell.value();
    if (const auto* s = std::get_if<std::string>(&v)) {
      if (s->empty()) ++empties;
      else ++strings;
      booleans += *s == "true" || *s == "false";
    } else if (std::holds_alternative<double>(v)) {
      ++doubles;
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      negatives += *i < 0;
    } else {
      big += std::get<std::uint64_t>(v) > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    }
  }
  const std::size_t n = cells.size();
  if (strings == 0 && (doubles > 0 || empties > 0 || n == 0)) {
    py::array_t<double> out(static_cast<py::ssize_t>(n));
    double* data = out.mutable_data();
    for (std::size_t k = 0; k < n; ++k) {
      data[k] = std::visit(
          [](const auto& x) -> double {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) return std::nan("");
            else return static_cast<double>(x);
          },
          cells[k].value());
    }
    return out;
  }
  if (strings == 0) {
    if (big > 0 && negatives == 0) {
      py::array_t<std::uint64_t> out(static_cast<py::ssize_t>(n));
      for (std::size_t k = 0; k < n; ++k)
        out.mutable_data()[k] = std::holds_alternative<std::uint64_t>(cells[k].value())
                                    ? std::get<std::uint64_t>(cells[k].value())
                                    : static_cast<std::uint64_t>(std::get<std::int64_t>(cells[k].value()));
      return out;
    }
    py::array_t<std::int64_t> out(static_cast<py::ssize_t>(n));
    for (std::size_t k = 0; k < n; ++k)
      out.mutable_data()[k] = std::holds_alternative<std::int64_t>(cells[k].value())
                                  ? std::get<std::int64_t>(cells[k].value())
                                  : static_cast<std::int64_t>(std::get<std::uint64_t>(cells[k].value()));
    return out;
  }
  if (booleans == n) {
    py::array_t<bool> out(static_cast<py::ssize_t>(n));
    for (std::size_t k = 0; k < n; ++k) out.mutable_data()[k] = std::get<std::string>(cells[k].value()) == "true";
    return out;
  }
  py::list values;
  for (const CsvCell& cell : cells) {
    const auto* s = std::get_if<std::string>(&cell.value());
    values.append(s ? py::str(*s) : py::str(cell.text()));
  }
  return py::module_::import("numpy").attr("array")(values, py::arg("dtype") = "object");
}

py::dict table_dict(const ColumnTable& table) {
  py::dict out;
  for (std::size_t c = 0; c < table.header().size(); ++c) out[py::str(table.header()[c])] = column_array(table.columns()[c]);
  return out;
}

// {"metrics.csv": {column: array}, ...}
py::dict tables_dict(const TableSet& tables) {
  py::dict out;
  for (const auto& [name, table] : tables.tables()) out[py::str(name)] = table_dict(table);
  return out;
}

py::object error_class(const char* name) { return py::module_::import("dasgd._errors").attr(name); }

// Runs `call` without the GIL and turns the C++ errors into the package's exceptions.
template <typename Call>
auto released(const ConfigInput& input, Call&& call) {
  try {
    py::gil_scoped_release release;
    return call();
  } catch (const ConfigError& error) {
    const std::string what = error.what();
    const std::string message = error.path().empty() ? what : what.substr(error.path().size() + 2);
    PyErr_SetObject(error_class("ConfigError").ptr(),
                    py::make_tuple(error.path(), message, input.source()).ptr());
    throw py::error_already_set();
  } catch (const OutputDirectoryError& error) {
    PyErr_SetString(error_class("OutputDirectoryError").ptr(), error.what());
    throw py::error_already_set();
  } catch (const WriteAbandoned& error) {
    PyErr_SetObject(error_class("RunInterrupted").ptr(), py::make_tuple(error.what(), py::none()).ptr());
    throw py::error_already_set();
  }
}

ConfigInput input_of(const std::string& path, const std::string& text, const std::vector<std::string>& overrides) {
  return ConfigInput{path, text, overrides};
}

CallOptions options_of(const std::string& output, bool force, bool progress, bool handle_signals,
                       const std::string& max_memory) {
  return CallOptions{output, force, progress, handle_signals, max_memory};
}

py::dict run_dict(const RunOutcome& out) {
  py::dict d;
  d["summary"] = to_python(out.summary);
  d["config"] = to_python(out.config.resolved);
  d["tables"] = tables_dict(out.tables);
  d["status"] = std::string(to_string(out.result.status));
  d["directory"] = out.directory;
  d["wall_seconds"] = out.result.wall_seconds;
  d["signal"] = out.signal;
  return d;
}

py::dict graph_dict(const GraphOutcome& out) {
  const TopologySummary& s = out.summary;
  auto gap = [](const SpectralGap& g) {
    py::dict d;
    d["gap"] = g.gap;
    d["lambda_2"] = g.lambda_2;
    d["lambda_n"] = g.lambda_n;
    d["second_modulus"] = g.second_modulus;
    d["p"] = g.p;
    d["method"] = to_string(g.method);
    d["converged"] = g.converged;
    d["iterations"] = g.iterations;
    return d;
  };
  py::dict diameter;
  diameter["exact"] = s.diameter.exact;
  diameter["lower_bound"] = s.diameter.lower_bound;
  diameter["upper_bound"] = s.diameter.upper_bound;
  diameter["method"] = to_string(s.diameter.method);
  py::dict degree;
  degree["min"] = s.degree.min;
  degree["max"] = s.degree.max;
  degree["mean"] = s.degree.mean;
  py::dict d;
  d["name"] = s.name;
  d["nodes"] = s.num_nodes;
  d["edges"] = s.num_edges;
  d["degree"] = degree;
  d["diameter"] = diameter;
  d["spectral_gap_uniform"] = gap(s.uniform);
  d["spectral_gap_metropolis_hastings"] = gap(s.metropolis_hastings);
  d["text"] = out.text;
  return d;
}

}  // namespace

}  // namespace dasgd::python

PYBIND11_MODULE(_dasgd, m) {
  using namespace dasgd::python;
  m.doc() = "dasgd-sim's native calls; use the dasgd package (python/dasgd/__init__.py)";
  m.attr("version") = DASGD_VERSION;

  m.def("run", [](const std::string& path, const std::string& text, const std::vector<std::string>& overrides,
                  const std::string& output, bool force, bool progress, bool handle_signals,
                  const std::string& max_memory) {
    const ConfigInput input = input_of(path, text, overrides);
    const RunOutcome out = released(input, [&] {
      return run_call(input, options_of(output, force, progress, handle_signals, max_memory));
    });
    return run_dict(out);
  });

  m.def("compare", [](const std::string& path, const std::string& text, const std::vector<std::string>& overrides,
                      const std::string& output, bool force, bool progress, bool handle_signals,
                      const std::string& max_memory, bool common_random_numbers) {
    const ConfigInput input = input_of(path, text, overrides);
    const CompareOutcome out = released(input, [&] {
      return compare_call(input, options_of(output, force, progress, handle_signals, max_memory),
                          common_random_numbers);
    });
    py::list runs;
    for (std::size_t k = 0; k < out.outcomes.size(); ++k) {
      const dasgd::ComparisonOutcome& o = out.outcomes[k];
      py::dict run;
      run["label"] = o.label;
      run["status"] = std::string(dasgd::to_string(o.status));
      run["reason"] = o.reason;
      run["summary"] = out.summaries[k].is_null() ? py::object(py::none()) : to_python(out.summaries[k]);
      run["config"] = to_python(out.entries[k].config.resolved);
      run["tables"] = tables_dict(out.run_tables[k]);
      runs.append(run);
    }
    py::dict d;
    d["runs"] = runs;
    d["tables"] = tables_dict(out.tables);
    d["directory"] = out.directory;
    d["signal"] = out.signal;
    return d;
  });

  m.def("sweep", [](const std::string& path, const std::string& text, const std::vector<std::string>& overrides,
                    const std::string& output, bool handle_signals, unsigned jobs) {
    const ConfigInput input = input_of(path, text, overrides);
    const SweepOutcome out = released(input, [&] {
      return sweep_call(input, options_of(output, false, false, handle_signals, ""), jobs);
    });
    py::dict d;
    d["tables"] = tables_dict(out.tables);
    d["directory"] = out.directory;
    d["points"] = out.points;
    d["missing"] = out.missing;
    d["signal"] = out.signal;
    return d;
  });

  m.def("graph", [](const std::string& path, const std::string& text, const std::vector<std::string>& overrides,
                    std::optional<std::uint64_t> seed) {
    const ConfigInput input = input_of(path, text, overrides);
    const GraphOutcome out = released(input, [&] { return graph_call(input, seed); });
    return graph_dict(out);
  });

  m.def("predict", [](const std::string& path, const std::string& text, const std::vector<std::string>& overrides) {
    const ConfigInput input = input_of(path, text, overrides);
    const nlohmann::json out = released(input, [&] { return predict_call(input); });
    return to_python(out);
  });

  // For the tests: behave as if the signal had arrived (the count the run loop polls).
  m.def("_simulate_interrupt", [](int signal) { dasgd::simulate_interrupt(signal); });
}
