#include "model/dcmtk_charset.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <optional>
#include <vector>

#include "model/instance.hpp"  // kDefaultMaxDepth
#include "model/iso2022.hpp"

namespace dicomlake::model {

namespace {

// The item's own Specific Character Set values, or nothing when it declares none.
std::optional<std::vector<std::string>> declared_terms(DcmItem& item) {
    DcmElement* e = nullptr;
    if (item.findAndGetElement(DCM_SpecificCharacterSet, e, OFFalse).bad() || e == nullptr) return std::nullopt;
    std::vector<std::string> terms;
    for (unsigned long i = 0; i < e->getVM(); ++i) {
        OFString term;
        e->getOFString(term, i);
        terms.emplace_back(term.c_str());
    }
    if (terms.empty()) return std::nullopt;
    return terms;
}

// True when every text value (at every depth) is plain 7-bit ASCII without escape sequences:
// such text reads the same in every character set DICOM allows, converted or not.
bool plain_ascii(DcmItem& item, std::uint32_t max_value_bytes, int depth) {
    if (depth > kDefaultMaxDepth) return false;
    for (unsigned long i = 0; i < item.card(); ++i) {
        DcmElement* e = item.getElement(i);
        if (e == nullptr) continue;
        if (auto* seq = dynamic_cast<DcmSequenceOfItems*>(e)) {
            for (unsigned long k = 0; k < seq->card(); ++k)
                if (DcmItem* it = seq->getItem(k); it != nullptr && !plain_ascii(*it, max_value_bytes, depth + 1))
                    return false;
            continue;
        }
        if (!e->isAffectedBySpecificCharacterSet()) continue;
        if (e->getLength() > max_value_bytes) return false;
        char* raw = nullptr;
        Uint32 length = 0;
        if (e->getString(raw, length).bad() || raw == nullptr) continue;
        for (Uint32 k = 0; k < length; ++k) {
            auto c = static_cast<unsigned char>(raw[k]);
            if (c >= 0x80 || c == 0x1B) return false;
        }
    }
    return true;
}

std::string joined(const std::vector<std::string>& terms) {
    std::string s;
    for (const auto& t : terms) s += (s.empty() ? "" : "\\") + t;
    return s;
}

bool decode_item(DcmItem& item, const std::vector<std::string>& inherited, int depth, std::string& why);

// An item in a multi-byte ISO 2022 set: every text value decoded here, items in their own set.
bool decode_values(DcmItem& item, const std::vector<std::string>& terms, int depth, std::string& why) {
    for (unsigned long i = 0; i < item.card(); ++i) {
        DcmElement* e = item.getElement(i);
        if (e == nullptr) continue;
        if (auto* seq = dynamic_cast<DcmSequenceOfItems*>(e)) {
            for (unsigned long k = 0; k < seq->card(); ++k)
                if (DcmItem* it = seq->getItem(k); it != nullptr && !decode_item(*it, terms, depth + 1, why))
                    return false;
            continue;
        }
        if (!e->isAffectedBySpecificCharacterSet()) continue;
        char* raw = nullptr;
        Uint32 length = 0;
        if (e->getString(raw, length).bad() || raw == nullptr) continue;
        auto text = decode_iso2022({raw, length}, terms, e->ident() == EVR_PN);
        if (!text) {
            why = "a value of " + std::string(e->getTag().toString().c_str()) + " is not valid " + joined(terms);
            return false;
        }
        e->putString(text->c_str(), static_cast<Uint32>(text->size()));
    }
    return true;
}

bool decode_item(DcmItem& item, const std::vector<std::string>& inherited, int depth, std::string& why) {
    if (depth > kDefaultMaxDepth) {
        why = "sequences nest deeper than " + std::to_string(kDefaultMaxDepth) + " levels";
        return false;
    }
    const std::vector<std::string> terms = declared_terms(item).value_or(inherited);
    if (uses_iso2022_multibyte(terms)) return decode_values(item, terms, depth, why);
    OFCondition c = item.convertCharacterSet(joined(terms).c_str(), "ISO_IR 192", 0, OFFalse);
    if (c.bad()) why = c.text();
    return c.good();
}

}  // namespace

bool convert_text_to_utf8(DcmDataset& dataset, std::uint32_t max_value_bytes, std::string& why) {
    const auto terms = declared_terms(dataset);
    if (terms && uses_iso2022_multibyte(*terms)) return decode_item(dataset, *terms, 0, why);
    OFCondition c = dataset.convertToUTF8();
    // A character set this build cannot convert does not matter when the text holds no
    // character beyond ASCII.
    if (c.bad() && plain_ascii(dataset, max_value_bytes, 0)) return true;
    // Text beyond ASCII without a Specific Character Set: read as Latin-1.
    if (c.bad() && !terms) c = dataset.convertCharacterSet("ISO_IR 100", "ISO_IR 192", 0, OFFalse);
    if (c.bad()) why = c.text();
    return c.good();
}

}  // namespace dicomlake::model
