// SHA-256 of a study's rows, fed piece by piece: the text it hashes is never built whole (a
// dose report's attributes alone are 12 MB of JSON).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dicomlake::normalize {

class ContentHash {
public:
    ContentHash();
    ~ContentHash();
    ContentHash(const ContentHash&) = delete;
    ContentHash& operator=(const ContentHash&) = delete;

    ContentHash& operator+=(std::string_view text);
    ContentHash& operator+=(char c) { return *this += std::string_view(&c, 1); }
    // A number as the rows show it, or "-" when absent, then '|'.
    void add(const std::optional<double>& v);
    // Lower-case hex of the digest; the hash is spent afterwards.
    std::string hex();

private:
    void flush();
    void* ctx_;           // EVP_MD_CTX*
    std::string pending_;  // small pieces, handed to the digest in blocks (each call has a cost)
};

}  // namespace dicomlake::normalize
