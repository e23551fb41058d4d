// Lower-case hexadecimal of bytes (digests, keys, tokens).
#pragma once

#include <cstddef>
#include <string>

namespace dicomlake {

inline std::string to_hex(const unsigned char* bytes, std::size_t n) {
    static const char* const digits = "0123456789abcdef";
    std::string s;
    s.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[bytes[i] >> 4];
        s += digits[bytes[i] & 0xF];
    }
    return s;
}

}  // namespace dicomlake
