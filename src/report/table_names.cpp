#include "report/table_names.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace dicomlake::report {

namespace {

constexpr std::size_t kMaxName = 31;  // Excel's limit for a sheet name

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Letters, digits, '_' and '-' only: safe as a file stem on every system and as a sheet name.
std::string safe_stem(const std::string& id) {
    std::string out;
    for (unsigned char c : id) {
        if (out.size() == kMaxName) break;
        out += (std::isalnum(c) || c == '_' || c == '-') && c < 0x80 ? static_cast<char>(c) : '_';
    }
    return out.empty() ? "table" : out;
}

}  // namespace

std::vector<std::string> table_names(const Report& report) {
    std::set<std::string> taken = {kAboutSheet, "history"};
    std::vector<std::string> names;
    for (const auto& section : report.sections) {
        for (const auto& table : section.tables) {
            const std::string stem = safe_stem(table.id);
            std::string name = stem;
            for (int n = 2; taken.count(lower(name)) != 0; ++n) {
                const std::string suffix = "_" + std::to_string(n);
                name = stem.substr(0, kMaxName - suffix.size()) + suffix;
            }
            taken.insert(lower(name));
            names.push_back(name);
        }
    }
    return names;
}

}  // namespace dicomlake::report
