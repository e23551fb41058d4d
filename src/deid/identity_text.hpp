// Finding a patient's identity in free text (descriptors), for every script: the ICU adapter.
// Text and identity tokens are compared on a "skeleton": letters and digits only, each
// compatibility-decomposed (accents and full-width forms dropped) and case-folded for all of
// Unicode, with the byte span of the original text each skeleton character came from, so a
// match is replaced in the original text, never at a position of the folded copy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dicomlake::deid {

class IdentityTokens {
public:
    // Letters to find, and how separators must stand between them.
    struct Token {
        std::u32string letters;
        std::vector<bool> split;  // a separator stands before letters[i] (split[0] is false)
        bool loose = false;       // matches whatever the separators
        bool operator==(const Token& o) const { return letters == o.letters && split == o.split && loose == o.loose; }
    };
    // A person name as DICOM writes it: groups (alphabetic, ideographic, phonetic) joined by
    // '=', components by '^'. Every word of every component is a token, and so is each whole
    // group ("O^J" is found as "o j"); a group with ideographs also without its separators
    // ("山田^花子" as "山田花子", the way such names are written).
    void add_name(std::string_view person_name);
    // An identifier (PatientID, accession number, issuer...): the whole value is one token.
    // Identifiers of 4 or more letters and digits are also found with other separators between
    // their characters ("PID-12345" in "pid 12345").
    void add_identifier(std::string_view identifier);
    bool empty() const { return tokens_.empty(); }

    // `text` as it will be stored: control characters (but tab, CR, LF) and invalid UTF-8
    // dropped, then every occurrence of a token replaced by "***". A token matches where the
    // text has its letters with separators (any, spaces and punctuation) at the same places
    // as the token (combining marks, format and control characters do not count); identifier
    // tokens of 4 or more letters match whatever separators stand between their letters.
    std::string clean(std::string_view text) const;

private:
    void add(Token token);
    std::vector<Token> tokens_;
};

// `text` without NUL and other control characters (tab, CR and LF stay) and invalid UTF-8:
// what a stored value may hold.
std::string storable_text(std::string_view text);

}  // namespace dicomlake::deid
