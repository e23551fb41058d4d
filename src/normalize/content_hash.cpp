#include "normalize/content_hash.hpp"

#include <openssl/evp.h>

#include <new>

#include "util/hex.hpp"
#include "util/number.hpp"

namespace dicomlake::normalize {

namespace {
EVP_MD_CTX* md(void* p) { return static_cast<EVP_MD_CTX*>(p); }
constexpr size_t kBlock = 64 * 1024;
}  // namespace

ContentHash::ContentHash() : ctx_(EVP_MD_CTX_new()) {
    pending_.reserve(kBlock + 256);
    if (ctx_ == nullptr || EVP_DigestInit_ex(md(ctx_), EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(md(ctx_));
        throw std::bad_alloc();
    }
}

ContentHash::~ContentHash() { EVP_MD_CTX_free(md(ctx_)); }

ContentHash& ContentHash::operator+=(std::string_view text) {
    if (text.size() >= kBlock) {  // large: straight to the digest
        flush();
        EVP_DigestUpdate(md(ctx_), text.data(), text.size());
        return *this;
    }
    pending_.append(text);
    if (pending_.size() >= kBlock) flush();
    return *this;
}

void ContentHash::flush() {
    EVP_DigestUpdate(md(ctx_), pending_.data(), pending_.size());
    pending_.clear();
}

void ContentHash::add(const std::optional<double>& v) {
    *this += v ? number_text(*v) : std::string("-");
    *this += '|';
}

std::string ContentHash::hex() {
    flush();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md(ctx_), digest, &len);
    return to_hex(digest, len);
}

}  // namespace dicomlake::normalize
