// One textual form for numbers everywhere (JSON values, COPY fields, Attribute::text): whole
// numbers as plain integers ("1000000", never "1e+06"), others as the shortest text that reads
// back as the same double.
#pragma once

#include <charconv>
#include <cmath>
#include <string>

namespace dicomlake {

inline void append_number_text(std::string& out, double v) {
    char buf[64];
    std::to_chars_result res;
    if (std::trunc(v) == v && std::fabs(v) < 1e15)
        res = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    else
        res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

inline std::string number_text(double v) {
    std::string s;
    append_number_text(s, v);
    return s;
}

}  // namespace dicomlake
