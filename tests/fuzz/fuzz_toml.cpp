// The configuration file reader (the TOML subset of src/cli/config_file).
// Invariants: no crash or sanitizer report; failures are ConfigError naming the file; every
// key read is `key` or `section.key` of plain words, on a line that exists.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/config_file.hpp"
#include "fuzz_check.hpp"
#include "util/error.hpp"

namespace {

bool plain_key(const std::string& k) {
    if (k.empty() || k.front() == '.' || k.back() == '.' || std::count(k.begin(), k.end(), '.') > 1) return false;
    return std::all_of(k.begin(), k.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    try {
        for (const auto& [key, value] : dicomlake::cli::parse_config_text(text, "fuzz.toml")) {
            FUZZ_REQUIRE(plain_key(key), "a key that is not `key` or `section.key`");
            FUZZ_REQUIRE(value.line >= 1 && value.line <= lines, "a value on a line that does not exist");
        }
    } catch (const dicomlake::ConfigError& e) {
        FUZZ_REQUIRE(std::string(e.what()).rfind("fuzz.toml:", 0) == 0, "a configuration error that does not name the file");
    }
    return 0;
}
