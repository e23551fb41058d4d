// The configuration file: the subset of TOML that a settings file needs ([section], key =
// "string" | 'literal' | integer | float | true/false, # comments), with errors that name the
// file and line. Nested tables, arrays and dates are refused rather than half-understood.
#pragma once

#include <map>
#include <string>

namespace dicomlake::cli {

struct FileValue {
    std::string value;  // as text: strings unquoted, numbers and booleans as written
    int line = 0;
};

// "section.key" -> value. Throws ConfigError.
std::map<std::string, FileValue> parse_config_text(const std::string& text, const std::string& file_name);
std::map<std::string, FileValue> read_config_file(const std::string& path);

}  // namespace dicomlake::cli
