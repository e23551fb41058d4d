#include "util/redact.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace dicomlake {

namespace {

constexpr std::string_view kMask = "***";

std::mutex& secrets_mutex() {
    static std::mutex m;
    return m;
}

std::vector<std::string>& secrets() {
    static std::vector<std::string> v;
    return v;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool space(char c) { return c == ' ' || c == '\t'; }

// Position of the next case-insensitive `word` in `s` at or after `from`, or npos.
size_t find_word(const std::string& s, std::string_view word, size_t from) {
    auto it = std::search(s.begin() + static_cast<std::ptrdiff_t>(std::min(from, s.size())), s.end(), word.begin(),
                          word.end(), [](char a, char b) { return lower(a) == lower(b); });
    return it == s.end() ? std::string::npos : static_cast<size_t>(it - s.begin());
}

// Replaces s[begin, end) by the mask; returns the position just after the mask.
size_t mask(std::string& s, size_t begin, size_t end) {
    s.replace(begin, end - begin, kMask);
    return begin + kMask.size();
}

// End of a URL's authority: where the path, query or fragment starts. Inside running text
// (`in_text`), quotes and spaces end the URL too (library messages quote URLs that way).
size_t authority_end(std::string_view s, size_t from, bool in_text) {
    size_t end = s.find_first_of(in_text ? "/?#\"' \t\r\n<>" : "/?#", from);
    return end == std::string_view::npos ? s.size() : end;
}

void mask_url_passwords(std::string& s, bool in_text) {
    for (size_t pos = s.find("://"); pos != std::string::npos; pos = s.find("://", pos)) {
        size_t start = pos + 3, end = authority_end(s, start, in_text);
        size_t at = s.rfind('@', end == 0 ? 0 : end - 1);
        if (at != std::string::npos && at >= start) {
            size_t colon = s.find(':', start);
            if (colon < at) end = mask(s, colon + 1, at) + 1;
        }
        pos = end;
    }
}

// password=VALUE and password = 'VALUE' (libpq keyword strings, URI query parameters).
void mask_password_parameters(std::string& s) {
    constexpr std::string_view word = "password";
    for (size_t pos = find_word(s, word, 0); pos != std::string::npos; pos = find_word(s, word, pos)) {
        size_t i = pos + word.size();
        while (i < s.size() && space(s[i])) ++i;
        if (i >= s.size() || s[i] != '=') {
            pos = i;
            continue;
        }
        ++i;
        while (i < s.size() && space(s[i])) ++i;
        size_t end = i;
        if (end < s.size() && s[end] == '\'') {
            for (++end; end < s.size() && s[end] != '\''; ++end)
                if (s[end] == '\\') ++end;
            end = std::min(end + 1, s.size());
        } else {
            while (end < s.size() && !space(s[end]) && s[end] != '&' && s[end] != '"' && s[end] != '\n' &&
                   s[end] != '\r')
                ++end;
        }
        pos = end > i ? mask(s, i, end) : end;
    }
}

// "Authorization: anything" to the end of the line; "Bearer TOKEN" (the token only).
void mask_authorization(std::string& s) {
    constexpr std::string_view header = "authorization:";
    for (size_t pos = find_word(s, header, 0); pos != std::string::npos; pos = find_word(s, header, pos)) {
        size_t i = pos + header.size();
        while (i < s.size() && space(s[i])) ++i;
        size_t end = s.find_first_of("\r\n", i);
        if (end == std::string::npos) end = s.size();
        pos = end > i ? mask(s, i, end) : end;
    }
    // The scheme as HTTP messages spell it: a case-insensitive match would also mask the word
    // after "bearer" in ordinary prose ("a bearer token").
    constexpr std::string_view bearer = "Bearer ";
    for (size_t pos = s.find(bearer); pos != std::string::npos; pos = s.find(bearer, pos)) {
        size_t i = pos + bearer.size();
        while (i < s.size() && space(s[i])) ++i;
        size_t end = i;
        while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end])) && s[end] != '"') ++end;
        pos = end > i && s.compare(i, end - i, kMask) != 0 ? mask(s, i, end) : end;
    }
}

void mask_registered(std::string& s) {
    std::lock_guard<std::mutex> lock(secrets_mutex());
    for (const auto& secret : secrets())
        for (size_t pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos))
            pos = mask(s, pos, pos + secret.size());
}

}  // namespace

std::string redact(std::string_view text) {
    std::string s(text);
    mask_registered(s);
    mask_url_passwords(s, true);
    mask_password_parameters(s);
    mask_authorization(s);
    return s;
}

void register_secret(const std::string& value) {
    if (value.size() < kMinRegisteredSecret) return;
    std::lock_guard<std::mutex> lock(secrets_mutex());
    auto& v = secrets();
    if (std::find(v.begin(), v.end(), value) != v.end()) return;
    v.push_back(value);
    // Longest first, so a secret that contains another is masked whole.
    std::sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void forget_registered_secrets() {
    std::lock_guard<std::mutex> lock(secrets_mutex());
    secrets().clear();
}

bool url_has_userinfo(std::string_view url) {
    size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return false;
    size_t end = authority_end(url, scheme + 3, false);
    return url.substr(scheme + 3, end - scheme - 3).find('@') != std::string_view::npos;
}

bool url_has_password(std::string_view url) {
    std::string s(url);
    mask_url_passwords(s, false);
    mask_password_parameters(s);
    return s != url;
}

}  // namespace dicomlake
