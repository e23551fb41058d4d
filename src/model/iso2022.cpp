#include "model/iso2022.hpp"

#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include <array>
#include <memory>

namespace dicomlake::model {

namespace {

// How the bytes of a set become text: directly (ASCII, JIS X 0201 katakana) or through an ICU
// converter, after rewriting G0 double-byte codes into the EUC form ICU reads.
enum class Form { ascii, katakana, jis0208, jis0212, euc_pair, high_byte };

struct CodeSet {
    std::string_view term;    // the Specific Character Set value
    std::string_view escape;  // the bytes after ESC that designate it
    int plane;                // 0 = G0 (bytes 21-7E), 1 = G1 (bytes A1-FE)
    Form form;
    const char* converter;    // ICU converter name, for the forms that need one
};

// PS3.3 Table C.12-3 and C.12-4. JIS X 0201 Romaji (the G0 half of IR 13) is read as ASCII: its
// two other characters (yen, overline) sit where DICOM needs '\' and '~'.
constexpr std::array<CodeSet, 17> kSets{{
    {"ISO 2022 IR 6", "(B", 0, Form::ascii, nullptr},
    {"ISO 2022 IR 13", "(J", 0, Form::ascii, nullptr},
    {"ISO 2022 IR 13", ")I", 1, Form::katakana, nullptr},
    {"ISO 2022 IR 87", "$B", 0, Form::jis0208, "EUC-JP"},
    {"ISO 2022 IR 159", "$(D", 0, Form::jis0212, "EUC-JP"},
    {"ISO 2022 IR 149", "$)C", 1, Form::euc_pair, "EUC-KR"},
    {"ISO 2022 IR 58", "$)A", 1, Form::euc_pair, "GB2312"},
    {"ISO 2022 IR 100", "-A", 1, Form::high_byte, "ISO-8859-1"},
    {"ISO 2022 IR 101", "-B", 1, Form::high_byte, "ISO-8859-2"},
    {"ISO 2022 IR 109", "-C", 1, Form::high_byte, "ISO-8859-3"},
    {"ISO 2022 IR 110", "-D", 1, Form::high_byte, "ISO-8859-4"},
    {"ISO 2022 IR 144", "-L", 1, Form::high_byte, "ISO-8859-5"},
    {"ISO 2022 IR 127", "-G", 1, Form::high_byte, "ISO-8859-6"},
    {"ISO 2022 IR 126", "-F", 1, Form::high_byte, "ISO-8859-7"},
    {"ISO 2022 IR 138", "-H", 1, Form::high_byte, "ISO-8859-8"},
    {"ISO 2022 IR 148", "-M", 1, Form::high_byte, "ISO-8859-9"},
    {"ISO 2022 IR 166", "-T", 1, Form::high_byte, "TIS-620"},
}};

bool multibyte(const CodeSet& s) { return s.form == Form::jis0208 || s.form == Form::jis0212 || s.form == Form::euc_pair; }

// The value-1 term: empty means the default repertoire.
std::string_view normalized(std::string_view term) { return term.empty() ? "ISO 2022 IR 6" : term; }

std::optional<std::string> convert(const char* converter, std::string_view bytes) {
    UErrorCode err = U_ZERO_ERROR;
    std::unique_ptr<UConverter, void (*)(UConverter*)> cnv(ucnv_open(converter, &err), ucnv_close);
    if (U_FAILURE(err)) return std::nullopt;
    ucnv_setToUCallBack(cnv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
    icu::UnicodeString text(bytes.data(), static_cast<int32_t>(bytes.size()), cnv.get(), err);
    if (U_FAILURE(err)) return std::nullopt;
    std::string out;
    text.toUTF8String(out);
    return out;
}

void append_utf8_bmp(std::string& out, unsigned cp) {  // code points below U+10000
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Decoder {
public:
    Decoder(const std::vector<std::string>& terms, bool person_name) : person_name_(person_name) {
        for (size_t i = 0; i < terms.size(); ++i)
            for (const CodeSet& s : kSets)
                if (s.term == normalized(terms[i])) {
                    allowed_.push_back(&s);
                    if (i == 0) (s.plane == 0 ? initial_g0_ : initial_g1_) = &s;
                }
        if (initial_g0_ == nullptr) initial_g0_ = &kSets[0];
        reset();
    }

    std::optional<std::string> decode(std::string_view v) {
        for (size_t i = 0; i < v.size();) {
            auto b = static_cast<unsigned char>(v[i]);
            size_t used = b == 0x1B ? designate(v.substr(i + 1)) : b < 0x80 ? low(v, i) : high(v, i);
            if (used == 0) return std::nullopt;
            i += used;
        }
        if (!flush()) return std::nullopt;
        return std::move(out_);
    }

private:
    void reset() {
        g0_ = initial_g0_;
        g1_ = initial_g1_;
    }

    // The escape sequence's length with its ESC, or 0 for a set the terms do not name.
    size_t designate(std::string_view rest) {
        for (const CodeSet* s : allowed_)
            if (rest.substr(0, s->escape.size()) == s->escape) {
                (s->plane == 0 ? g0_ : g1_) = s;
                return s->escape.size() + 1;
            }
        return 0;
    }

    size_t low(std::string_view v, size_t i) {
        auto b = static_cast<unsigned char>(v[i]);
        if (b > 0x20 && b < 0x7F && multibyte(*g0_)) {
            if (i + 1 >= v.size()) return 0;
            auto b2 = static_cast<unsigned char>(v[i + 1]);
            if (b2 <= 0x20 || b2 >= 0x7F) return 0;
            std::string pair{static_cast<char>(b | 0x80), static_cast<char>(b2 | 0x80)};
            return add(g0_, g0_->form == Form::jis0212 ? "\x8F" + pair : pair) ? 2 : 0;
        }
        if (!flush()) return 0;
        out_ += static_cast<char>(b);
        if (b < 0x20 || b == 0x7F || b == '\\' || (person_name_ && (b == '^' || b == '='))) reset();
        return 1;
    }

    size_t high(std::string_view v, size_t i) {
        auto b = static_cast<unsigned char>(v[i]);
        if (g1_ == nullptr) {  // no G1 set: a vendor's Latin-1 byte (a Philips RDSR's degree sign)
            if (!flush()) return 0;
            append_utf8_bmp(out_, b);
            return 1;
        }
        if (b < 0xA0) return 0;
        if (g1_->form == Form::katakana) {
            if (b < 0xA1 || b > 0xDF || !flush()) return 0;
            append_utf8_bmp(out_, 0xFF61 + (b - 0xA1));
            return 1;
        }
        if (g1_->form == Form::euc_pair) {
            if (i + 1 >= v.size() || static_cast<unsigned char>(v[i + 1]) < 0xA1) return 0;
            return add(g1_, v.substr(i, 2)) ? 2 : 0;
        }
        return add(g1_, v.substr(i, 1)) ? 1 : 0;
    }

    // Bytes of one set gather in a run, converted in one call when the set changes.
    bool add(const CodeSet* set, std::string_view bytes) {
        if (set != run_set_ && !flush()) return false;
        run_set_ = set;
        run_ += bytes;
        return true;
    }

    bool flush() {
        if (run_.empty()) return true;
        auto text = convert(run_set_->converter, run_);
        run_.clear();
        if (!text) return false;
        out_ += *text;
        return true;
    }

    bool person_name_;
    std::vector<const CodeSet*> allowed_;
    const CodeSet* initial_g0_ = nullptr;
    const CodeSet* initial_g1_ = nullptr;
    const CodeSet* g0_ = nullptr;
    const CodeSet* g1_ = nullptr;
    const CodeSet* run_set_ = nullptr;
    std::string run_;
    std::string out_;
};

}  // namespace

bool uses_iso2022_multibyte(const std::vector<std::string>& terms) {
    for (const auto& t : terms)
        for (const CodeSet& s : kSets)
            if (s.term == t && multibyte(s)) return true;
    return false;
}

std::optional<std::string> decode_iso2022(std::string_view value, const std::vector<std::string>& terms,
                                          bool person_name) {
    return Decoder(terms, person_name).decode(value);
}

}  // namespace dicomlake::model
