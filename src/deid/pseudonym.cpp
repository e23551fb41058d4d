#include "deid/pseudonym.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <atomic>
#include <vector>
#include <unordered_map>


#include "util/error.hpp"
#include "util/hex.hpp"

namespace dicomlake::deid {

namespace {

__extension__ typedef unsigned __int128 uint128;

std::array<unsigned char, 32> hmac_sha256(const unsigned char* key, size_t key_len, std::string_view data) {
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key, static_cast<int>(key_len), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), out.data(), &len);
    return out;
}

const char* purpose_label(Purpose p) {
    switch (p) {
        case Purpose::uid: return "dicomlake/v1/uid";
        case Purpose::patient: return "dicomlake/v1/patient";
        case Purpose::accession: return "dicomlake/v1/accession";
        case Purpose::date: return "dicomlake/v1/date";
        case Purpose::activity: return "dicomlake/v1/activity";
        case Purpose::seal: return "dicomlake/v1/seal";
        case Purpose::study_patient: return "dicomlake/v1/study-patient";
        case Purpose::ledger: return "dicomlake/v1/ledger";
    }
    return "dicomlake/v1/unknown";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0' || s.back() == '\n' || s.back() == '\r' ||
                          s.back() == '\t'))
        s.remove_suffix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    return s;
}

// Decimal digits of a 128-bit unsigned integer.
std::string to_decimal(uint128 v) {
    if (v == 0) return "0";
    std::string s;
    while (v > 0) {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    }
    return s;
}

std::uint64_t next_instance_id() {
    static std::atomic<std::uint64_t> next{1};
    return next++;
}

}  // namespace

Pseudonymizer::Pseudonymizer(std::string_view secret, int key_version)
    : instance_id_(next_instance_id()), key_version_(key_version) {
    const Purpose all[] = {Purpose::uid,      Purpose::patient, Purpose::accession,     Purpose::date,
                           Purpose::activity, Purpose::seal,    Purpose::study_patient, Purpose::ledger};
    for (Purpose p : all)
        keys_[static_cast<size_t>(p)] =
            hmac_sha256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), purpose_label(p));
}

std::array<unsigned char, 32> Pseudonymizer::mac(Purpose purpose, std::string_view value) const {
    const auto& k = keys_[static_cast<size_t>(purpose)];
    return hmac_sha256(k.data(), k.size(), value);
}

std::string Pseudonymizer::uid(std::string_view original) const {
    original = trim(original);
    if (original.rfind("1.2.840.10008.", 0) == 0) return std::string(original);
    // The same UIDs recur in every instance of a study (study, series, frame of reference,
    // references): a small per-thread cache saves most HMACs.
    thread_local std::unordered_map<std::string, std::string> cache;
    thread_local std::uint64_t cache_owner = 0;
    if (cache_owner != instance_id_ || cache.size() > 4096) {
        cache.clear();
        cache_owner = instance_id_;
    }
    std::string key(original);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    auto m = mac(Purpose::uid, original);
    m[6] = static_cast<unsigned char>((m[6] & 0x0F) | 0x80);  // UUID version 8 (custom)
    m[8] = static_cast<unsigned char>((m[8] & 0x3F) | 0x80);  // RFC 4122 variant
    uint128 v = 0;
    for (size_t i = 0; i < 16; ++i) v = (v << 8) | m[i];
    std::string pseudonym = "2.25." + to_decimal(v);
    cache.emplace(std::move(key), pseudonym);
    return pseudonym;
}

std::string Pseudonymizer::token(Purpose purpose, std::string_view value) const {
    auto m = mac(purpose, trim(value));
    return to_hex(m.data(), 16);
}

namespace {

bool from_hex(std::string_view s, std::vector<unsigned char>& out) {
    if (s.size() % 2 != 0) return false;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (size_t i = 0; i < s.size(); i += 2) {
        int hi = digit(s[i]), lo = digit(s[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<unsigned char>(hi * 16 + lo));
    }
    return true;
}

constexpr int kIv = 12, kTag = 16;

}  // namespace

std::string Pseudonymizer::seal(std::string_view plaintext) const {
    unsigned char iv[kIv];
    if (RAND_bytes(iv, kIv) != 1) throw Error(ExitCode::internal, "OpenSSL could not generate random bytes");
    std::vector<unsigned char> out(plaintext.size() + 16);
    unsigned char tag[kTag];
    int len = 0, total = 0;
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, keys_[static_cast<size_t>(Purpose::seal)].data(), iv);
    EVP_EncryptUpdate(ctx, out.data(), &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                      static_cast<int>(plaintext.size()));
    total = len;
    EVP_EncryptFinal_ex(ctx, out.data() + total, &len);
    total += len;
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTag, tag);
    EVP_CIPHER_CTX_free(ctx);
    return to_hex(iv, kIv) + to_hex(out.data(), static_cast<size_t>(total)) + to_hex(tag, kTag);
}

std::optional<std::string> Pseudonymizer::unseal(std::string_view sealed) const {
    std::vector<unsigned char> raw;
    if (!from_hex(sealed, raw) || raw.size() < static_cast<size_t>(kIv + kTag)) return std::nullopt;
    const unsigned char* iv = raw.data();
    const unsigned char* body = raw.data() + kIv;
    int body_len = static_cast<int>(raw.size()) - kIv - kTag;
    std::vector<unsigned char> tag(raw.end() - kTag, raw.end());
    std::vector<unsigned char> out(static_cast<size_t>(body_len) + 16);
    int len = 0, total = 0;
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, keys_[static_cast<size_t>(Purpose::seal)].data(), iv);
    EVP_DecryptUpdate(ctx, out.data(), &len, body, body_len);
    total = len;
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTag, tag.data());
    int ok = EVP_DecryptFinal_ex(ctx, out.data() + total, &len);
    EVP_CIPHER_CTX_free(ctx);
    if (ok <= 0) return std::nullopt;
    total += len;
    return std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(total));
}

std::string generate_key() {
    unsigned char buf[32];
    if (RAND_bytes(buf, sizeof buf) != 1) throw Error(ExitCode::internal, "OpenSSL could not generate random bytes");
    return to_hex(buf, sizeof buf);
}

}  // namespace dicomlake::deid
