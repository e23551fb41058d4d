// normalize/content_hash: pieces fed one by one (small ones buffered, large ones straight
// through) hash to the SHA-256 of their concatenation, computed here by OpenSSL in one call.
#include "normalize/content_hash.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

namespace dicomlake::normalize {
namespace {

std::string sha256_of(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (unsigned int i = 0; i < len; ++i) (s += hex[md[i] >> 4]) += hex[md[i] & 0xF];
    return s;
}

TEST(ContentHash, PiecesHashLikeTheirConcatenation) {
    ContentHash h;
    std::string all;
    for (int i = 0; i < 5000; ++i) {  // small pieces, several buffer fills
        std::string piece = "series-" + std::to_string(i) + '|';
        h += piece;
        all += piece;
        h += ',';
        all += ',';
    }
    const std::string large(200 * 1024, 'x');  // beyond the buffer: straight through
    h += large;
    all += large;
    h.add(2.5);
    all += "2.5|";
    h.add(std::nullopt);
    all += "-|";
    EXPECT_EQ(h.hex(), sha256_of(all));
}

TEST(ContentHash, NothingFedIsTheHashOfNothing) {
    ContentHash h;
    EXPECT_EQ(h.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace dicomlake::normalize
