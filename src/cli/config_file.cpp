#include "cli/config_file.hpp"

#include <fstream>
#include <sstream>

#include "util/error.hpp"

namespace dicomlake::cli {

namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

bool bare_key(const std::string& k) {
    if (k.empty()) return false;
    for (char c : k)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
}

// The exponent of a float: an optional sign and digits. (Not a number read again: "1e1e1"
// is no number, and a long run of them recursed once per 'e'.)
bool exponent(const std::string& v) {
    size_t i = (!v.empty() && (v[0] == '+' || v[0] == '-')) ? 1 : 0;
    if (i == v.size()) return false;
    for (; i < v.size(); ++i)
        if (v[i] < '0' || v[i] > '9') return false;
    return true;
}

// A TOML decimal integer or float (no inf/nan, hex or underscores: settings never need them).
bool decimal_number(const std::string& v) {
    size_t i = 0;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    size_t digits = 0, dots = 0;
    for (; i < v.size(); ++i) {
        if (v[i] >= '0' && v[i] <= '9')
            ++digits;
        else if (v[i] == '.' && dots == 0)
            ++dots;
        else if ((v[i] == 'e' || v[i] == 'E') && digits > 0)
            return exponent(v.substr(i + 1));
        else
            return false;
    }
    return digits > 0;
}

}  // namespace

std::map<std::string, FileValue> parse_config_text(const std::string& text, const std::string& file_name) {
    std::map<std::string, FileValue> out;
    std::istringstream in(text);
    std::string raw, section;
    int line_no = 0;
    auto fail = [&](const std::string& why) -> ConfigError {
        return ConfigError(file_name + ":" + std::to_string(line_no) + ": " + why);
    };
    while (std::getline(in, raw)) {
        ++line_no;
        std::string line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            auto close = line.find(']');
            if (close == std::string::npos || line.rfind("[[", 0) == 0) throw fail("malformed section header");
            std::string rest = trim(line.substr(close + 1));
            if (!rest.empty() && rest[0] != '#') throw fail("unexpected text after the section header");
            section = trim(line.substr(1, close - 1));
            if (!bare_key(section)) throw fail("section names are plain words such as [pacs]");
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string::npos) throw fail("expected `key = value`");
        std::string key = trim(line.substr(0, eq));
        if (!bare_key(key)) throw fail("keys are plain words such as `url`");
        std::string rest = trim(line.substr(eq + 1));
        if (rest.empty()) throw fail("missing value for `" + key + "`");
        std::string value;
        if (rest[0] == '"') {
            size_t i = 1;
            bool closed = false;
            for (; i < rest.size(); ++i) {
                char c = rest[i];
                if (c == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (c == '\\' && i + 1 < rest.size()) {
                    char n = rest[++i];
                    switch (n) {
                        case 'n': value += '\n'; break;
                        case 't': value += '\t'; break;
                        case '"': value += '"'; break;
                        case '\\': value += '\\'; break;
                        default: throw fail("unsupported escape in a string (only \\n, \\t, \\\" and \\\\)");
                    }
                } else {
                    value += c;
                }
            }
            if (!closed) throw fail("unterminated string");
            rest = trim(rest.substr(i));
        } else if (rest[0] == '\'') {
            auto close = rest.find('\'', 1);
            if (close == std::string::npos) throw fail("unterminated string");
            value = rest.substr(1, close - 1);
            rest = trim(rest.substr(close + 1));
        } else {
            auto hash = rest.find('#');
            value = trim(rest.substr(0, hash));
            rest = hash == std::string::npos ? std::string() : rest.substr(hash);
            if (value.empty() || value[0] == '[' || value[0] == '{')
                throw fail("only strings, numbers and true/false are supported as values");
            if (value != "true" && value != "false" && !decimal_number(value))
                throw fail("`" + key + "`: text values need quotes, e.g. " + key + " = \"...\"");
            rest.clear();
        }
        if (!rest.empty() && rest[0] != '#') throw fail("unexpected text after the value of `" + key + "`");
        std::string full = section.empty() ? key : section + "." + key;
        if (out.count(full)) throw fail("`" + full + "` is set twice");
        out[full] = FileValue{value, line_no};
    }
    return out;
}

std::map<std::string, FileValue> read_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw ConfigError("cannot read the configuration file '" + path +
                          "' (does it exist, and may this user read it?)");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config_text(ss.str(), path);
}

}  // namespace dicomlake::cli
