#include "deid/identity_text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <climits>
#include <cstdint>

namespace dicomlake::deid {

namespace {

enum class Kind {
    drop,       // never stored: invalid UTF-8, control characters but tab/CR/LF
    invisible,  // stored, but does not separate letters: tab/CR/LF, format characters, marks
    separator,  // spaces, punctuation, symbols
    letter,     // letters and digits of every script
};

bool ascii_alnum(UChar32 c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

Kind kind_of(UChar32 c) {
    if (c < 0) return Kind::drop;
    if (c == '\t' || c == '\n' || c == '\r') return Kind::invisible;
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return Kind::drop;
    if (c < 0x7F) return ascii_alnum(c) ? Kind::letter : Kind::separator;  // what ICU says, without asking it
    switch (u_charType(c)) {
        case U_FORMAT_CHAR:
        case U_NON_SPACING_MARK:
        case U_ENCLOSING_MARK:
        case U_COMBINING_SPACING_MARK: return Kind::invisible;
        default: break;
    }
    return u_isalnum(c) ? Kind::letter : Kind::separator;
}

// One letter or digit of the skeleton and the bytes of the original text it came from.
struct SkeletonChar {
    char32_t c;
    std::uint32_t begin, end;
    bool after_separator;  // a separator stands between it and the previous skeleton character
};

// Compatibility decomposition (accents, ligatures and full-width forms come apart), then the
// letters and digits of it, case-folded (simple folding: one code point for one).
template <typename Emit>
void fold(UChar32 c, Emit&& emit) {
    if (c < 0x80) {  // ASCII has no decomposition; its case folding is lower case
        emit(static_cast<char32_t>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
        return;
    }
    UErrorCode status = U_ZERO_ERROR;
    static const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
    icu::UnicodeString decomposed;
    if (nfkd == nullptr || !nfkd->getDecomposition(c, decomposed)) {
        emit(static_cast<char32_t>(u_foldCase(c, U_FOLD_CASE_DEFAULT)));
        return;
    }
    for (int32_t i = 0; i < decomposed.length(); i = decomposed.moveIndex32(i, 1)) {
        UChar32 d = decomposed.char32At(i);
        if (u_isalnum(d)) emit(static_cast<char32_t>(u_foldCase(d, U_FOLD_CASE_DEFAULT)));
    }
}

// Calls on_char(code point, kind, begin, end) for every code point of `text`.
template <typename OnChar>
void each_char(std::string_view text, OnChar&& on_char) {
    const auto n = static_cast<int32_t>(std::min<size_t>(text.size(), INT32_MAX));
    int32_t i = 0;
    while (i < n) {
        int32_t begin = i;
        UChar32 c = 0;
        U8_NEXT(text.data(), i, n, c);
        on_char(c, kind_of(c), static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(i));
    }
}

std::vector<SkeletonChar> skeleton_of(std::string_view text) {
    std::vector<SkeletonChar> out;
    bool separated = false;
    each_char(text, [&](UChar32 c, Kind kind, std::uint32_t begin, std::uint32_t end) {
        if (kind == Kind::separator) separated = true;
        if (kind != Kind::letter) return;
        fold(c, [&](char32_t f) {
            out.push_back({f, begin, end, separated});
            separated = false;
        });
    });
    return out;
}

bool has_ideograph(const std::vector<SkeletonChar>& skeleton) {
    for (const auto& c : skeleton)
        if (u_hasBinaryProperty(static_cast<UChar32>(c.c), UCHAR_IDEOGRAPHIC)) return true;
    return false;
}

}  // namespace

std::string storable_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    each_char(text, [&](UChar32, Kind kind, std::uint32_t begin, std::uint32_t end) {
        if (kind != Kind::drop) out.append(text.substr(begin, end - begin));
    });
    return out;
}

void IdentityTokens::add(Token token) {
    if (token.letters.size() < 2) return;  // one letter would remove that letter everywhere
    for (const auto& t : tokens_)
        if (t == token) return;
    tokens_.push_back(std::move(token));
}

// The token of skeleton[from, to): its letters, and where separators stand (unless `joined`).
static IdentityTokens::Token token_of(const std::vector<SkeletonChar>& skeleton, size_t from, size_t to,
                                      bool joined, bool loose) {
    IdentityTokens::Token t;
    for (size_t i = from; i < to; ++i) {
        t.letters += skeleton[i].c;
        t.split.push_back(i > from && !joined && skeleton[i].after_separator);
    }
    t.loose = loose;
    return t;
}

void IdentityTokens::add_name(std::string_view person_name) {
    std::string name = storable_text(person_name);
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = std::min(name.find('=', start), name.size());
        auto group = skeleton_of(std::string_view(name).substr(start, end - start));
        add(token_of(group, 0, group.size(), false, false));
        if (has_ideograph(group)) add(token_of(group, 0, group.size(), true, false));
        // Words: runs of the skeleton with no separator ('^', space, hyphen...) inside.
        size_t word = 0;
        for (size_t i = 1; i <= group.size(); ++i)
            if (i == group.size() || group[i].after_separator) {
                add(token_of(group, word, i, false, false));
                word = i;
            }
        start = end + 1;
    }
}

void IdentityTokens::add_identifier(std::string_view identifier) {
    auto skeleton = skeleton_of(storable_text(identifier));
    add(token_of(skeleton, 0, skeleton.size(), false, skeleton.size() >= 4));
}

std::string IdentityTokens::clean(std::string_view text) const {
    std::string stored = storable_text(text);
    if (tokens_.empty()) return stored;
    const auto skeleton = skeleton_of(stored);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
    for (const auto& token : tokens_) {
        const size_t m = token.letters.size();
        for (size_t i = 0; i + m <= skeleton.size(); ++i) {
            size_t j = 0;
            while (j < m && skeleton[i + j].c == token.letters[j] &&
                   (j == 0 || token.loose || skeleton[i + j].after_separator == token.split[j]))
                ++j;
            if (j == m) spans.emplace_back(skeleton[i].begin, skeleton[i + m - 1].end);
        }
    }
    if (spans.empty()) return stored;
    std::sort(spans.begin(), spans.end());
    std::string out;
    std::uint32_t copied = 0;
    for (size_t k = 0; k < spans.size();) {
        std::uint32_t begin = spans[k].first, end = spans[k].second;
        for (++k; k < spans.size() && spans[k].first <= end; ++k) end = std::max(end, spans[k].second);
        out.append(stored, copied, begin - copied);
        out += "***";
        copied = end;
    }
    out.append(stored, copied, std::string::npos);
    return out;
}

}  // namespace dicomlake::deid
