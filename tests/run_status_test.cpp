// How a run ends (sim/result/run_status.hpp, docs/OUTCOMES.md): every status and stop reason has one
// string form that reads back as itself, in code and in JSON; the sets are exactly the ones
// docs/OUTCOMES.md documents; and each status maps to the exit code its table gives.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/result/run_status.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

std::string outcomes_doc() {
  std::ifstream in(std::string(DASGD_SOURCE_DIR) + "/docs/OUTCOMES.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text of `doc` from the line starting with `heading` up to the next "## " heading.
std::string section(const std::string& doc, const std::string& heading) {
  const std::size_t begin = doc.find(heading);
  if (begin == std::string::npos) return "";
  const std::size_t end = doc.find("\n## ", begin + heading.size());
  return doc.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// The backticked first cells of a Markdown table ("| `completed` | ...").
std::set<std::string> first_cells(const std::string& table) {
  std::set<std::string> names;
  static const std::regex row(R"(\n\| `([a-z_]+)` \|)");
  for (std::sregex_iterator it(table.begin(), table.end(), row), end; it != end; ++it) names.insert((*it)[1].str());
  return names;
}

TEST(RunStatus, EveryStatusReadsBackAsItselfFromItsStringAndItsJson) {
  for (const RunStatus status : all_run_statuses) {
    const std::string text(to_string(status));
    EXPECT_EQ(parse_run_status(text), status) << text;
    EXPECT_EQ(json(status), text);
    EXPECT_EQ(json(text).get<RunStatus>(), status) << text;
    EXPECT_FALSE(meaning(status).empty()) << text;
  }
  EXPECT_THROW(parse_run_status("done"), std::invalid_argument);
  // An unknown string is an error, not the first status.
  EXPECT_THROW(json("done").get<RunStatus>(), std::invalid_argument);
}

TEST(RunStatus, TheStatusesAreTheOnesTheOutcomesTableDocuments) {
  std::set<std::string> in_code;
  for (const RunStatus status : all_run_statuses) in_code.insert(std::string(to_string(status)));
  EXPECT_EQ(first_cells(section(outcomes_doc(), "## Statuses")), in_code);
}

TEST(RunStatus, EachStatusMapsToTheExitCodeTheOutcomesTableGives) {
  // docs/OUTCOMES.md, "Exit codes": "| 3 | diverged | yes |", "| 130 / 143 | interrupted by SIGINT / SIGTERM ...".
  const std::string table = section(outcomes_doc(), "## Exit codes");
  std::map<std::string, std::string> code_of_when;
  static const std::regex row(R"(\n\| ([0-9][0-9 /]*[0-9]|[0-9]) \| ([^|]+) \|)");
  for (std::sregex_iterator it(table.begin(), table.end(), row), end; it != end; ++it)
    code_of_when[(*it)[2].str()] = (*it)[1].str();
  ASSERT_GE(code_of_when.size(), 5u) << table;
  for (const RunStatus status : all_run_statuses) {
    std::string words(to_string(status));
    for (char& c : words) c = c == '_' ? ' ' : c;  // no_live_nodes: "no live nodes"
    std::string documented;
    for (const auto& [when, code] : code_of_when)
      if (when.find(words) != std::string::npos) documented = code;
    ASSERT_FALSE(documented.empty()) << "no exit-code row names " << words;
    if (status == RunStatus::interrupted) {
      EXPECT_EQ(documented, "130 / 143");
      EXPECT_EQ(exit_code_for(status, SIGINT), 130);
      EXPECT_EQ(exit_code_for(status, SIGTERM), 143);
    } else {
      EXPECT_EQ(std::to_string(exit_code_for(status)), documented) << words;
    }
  }
  // The named constants say the same.
  EXPECT_EQ(exit_code_for(RunStatus::completed), exit_codes::success);
  EXPECT_EQ(exit_code_for(RunStatus::failed), exit_codes::failed);
  EXPECT_EQ(exit_code_for(RunStatus::diverged), exit_codes::diverged);
  EXPECT_EQ(exit_code_for(RunStatus::no_live_nodes), exit_codes::no_live_nodes);
}

TEST(RunStopReason, EveryStopReasonReadsBackAsItselfFromItsStringAndItsJson) {
  for (const RunStopReason reason : all_stop_reasons) {
    const std::string text(to_string(reason));
    EXPECT_EQ(parse_stop_reason(text), reason) << text;
    EXPECT_EQ(json(reason), text);
    EXPECT_EQ(json(text).get<RunStopReason>(), reason) << text;
  }
  EXPECT_THROW(parse_stop_reason("completed"), std::invalid_argument);
  EXPECT_THROW(json("stopped").get<RunStopReason>(), std::invalid_argument);
}

TEST(RunStopReason, TheStopReasonsAreTheOnesTheOutcomesPageNames) {
  // "`stop_reason` in `summary.json` refines `completed` (`time`, ...) and is `diverged`, ... otherwise."
  const std::string doc = outcomes_doc();
  const std::size_t begin = doc.find("`stop_reason` in `summary.json` refines");
  ASSERT_NE(begin, std::string::npos);
  const std::string paragraph = doc.substr(begin, doc.find("\n\n", begin) - begin);
  std::set<std::string> documented;
  static const std::regex name("`([a-z_]+)`");
  for (std::sregex_iterator it(paragraph.begin(), paragraph.end(), name), end; it != end; ++it)
    documented.insert((*it)[1].str());
  for (const char* not_a_reason : {"stop_reason", "completed"}) documented.erase(not_a_reason);
  std::set<std::string> in_code;
  for (const RunStopReason reason : all_stop_reasons) in_code.insert(std::string(to_string(reason)));
  EXPECT_EQ(documented, in_code);
}

}  // namespace
}  // namespace dasgd
