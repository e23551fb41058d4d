#include "model/dcmtk_reader.hpp"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvr.h>
#include <dcmtk/oflog/oflog.h>

#include <simdjson.h>

#include <cstdio>
#include <cstring>

#include "model/dcmtk_charset.hpp"
#include "model/instance.hpp"  // MalformedJson, LimitExceeded, kDefaultMaxDepth
#include "util/number.hpp"

namespace dicomlake::model {

namespace {

// Values beyond this stay in the file until read (headers are small; bulk is never read).
constexpr Uint32 kLoadInMemoryBytes = 4096;

bool one_of(std::string_view vr, std::initializer_list<std::string_view> set) {
    for (auto v : set)
        if (v == vr) return true;
    return false;
}

bool is_string_vr(std::string_view vr) {
    return one_of(vr, {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI",
                       "UR", "UT"});
}

bool is_binary_number_vr(std::string_view vr) {
    return one_of(vr, {"US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "AT"});
}

// VRs whose value is one string: a backslash in it is text, not a delimiter (PS3.5 6.2).
bool is_single_text_vr(std::string_view vr) { return one_of(vr, {"LT", "ST", "UT", "UR"}); }

bool is_bulk_vr(DcmEVR evr) {
    return evr == EVR_OB || evr == EVR_OW || evr == EVR_OF || evr == EVR_OD || evr == EVR_OL || evr == EVR_OV ||
           evr == EVR_UN || evr == EVR_ox || evr == EVR_px || evr == EVR_pixelSQ || evr == EVR_PixelData ||
           evr == EVR_OverlayData || evr == EVR_UNKNOWN || evr == EVR_UNKNOWN2B;
}

// One UTF-8 sequence's length at the start of `s` (RFC 3629: no overlong forms, no surrogates,
// nothing beyond U+10FFFF), or 0 when `s` does not start with one.
size_t utf8_sequence(std::string_view s) {
    auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    auto tail = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
    const unsigned char c = b(0);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return tail(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!tail(1) || !tail(2)) return 0;
        if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!tail(1) || !tail(2) || !tail(3)) return 0;
        if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return 0;
        return 4;
    }
    return 0;
}

// Valid UTF-8 sequences kept; every other byte read as the Latin-1 character of its value.
std::string utf8_with_latin1_bytes(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (size_t n = utf8_sequence(s.substr(i)); n > 0) {
            out.append(s.substr(i, n));
            i += n;
            continue;
        }
        auto c = static_cast<unsigned char>(s[i++]);
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

RawValue text_value(std::string_view s) {
    RawValue v;
    if (s.empty()) return v;  // an empty component: null
    v.kind = RawValue::Kind::text;
    v.text = s;
    return v;
}

RawValue person_name_value(std::string_view s) {
    RawValue v;
    if (s.empty()) return v;
    v.kind = RawValue::Kind::person_name;
    for (int g = 0; g < 3; ++g) {
        auto eq = g < 2 ? s.find('=') : std::string_view::npos;
        v.groups[g] = s.substr(0, eq);
        if (eq == std::string_view::npos) break;
        s.remove_prefix(eq + 1);
    }
    return v;
}

void emit_number(const std::function<void(const RawValue&)>& each, double d, std::string token) {
    RawValue v;
    v.kind = RawValue::Kind::number;
    v.number = d;
    v.text = token;
    each(v);
}

}  // namespace

DcmtkReader::DcmtkReader(DcmItem& item, std::uint32_t max_value_bytes) : item_(item), max_value_bytes_(max_value_bytes) {}

DcmtkReader::~DcmtkReader() = default;

bool DcmtkReader::next() {
    if (index_ + 1 >= static_cast<long>(item_.card())) {
        index_ = static_cast<long>(item_.card());
        return false;
    }
    ++index_;
    vr_name_.clear();
    return true;
}

DcmElement& DcmtkReader::current() const {
    DcmElement* e = index_ >= 0 ? item_.getElement(static_cast<unsigned long>(index_)) : nullptr;
    if (e == nullptr) throw MalformedJson("the DCMTK reader was asked for an element it is not on");
    return *e;
}

TagKey DcmtkReader::tag() {
    const DcmTagKey& k = current().getTag();
    return (static_cast<TagKey>(k.getGroup()) << 16) | k.getElement();
}

std::string_view DcmtkReader::sent_vr() {
    if (vr_name_.empty()) {
        DcmElement& e = current();
        vr_name_ = e.ident() == EVR_SQ ? "SQ" : DcmVR(e.getVR()).getValidVRName();
    }
    return vr_name_;
}

void DcmtkReader::values(const std::function<void(const RawValue&)>& each) {
    DcmElement& e = current();
    std::string vr(sent_vr());
    if (e.ident() == EVR_SQ || is_bulk_vr(e.getVR()) || e.getLength() == 0) return;
    if (e.getLength() > max_value_bytes_)
        throw LimitExceeded("an element's value is longer than " + std::to_string(max_value_bytes_) +
                            " bytes: not a header value");
    if (is_string_vr(vr))
        string_values(e, each);
    else if (is_binary_number_vr(vr))
        binary_values(e, each);
}

void DcmtkReader::string_values(DcmElement& e, const std::function<void(const RawValue&)>& each) const {
    char* raw = nullptr;
    Uint32 length = 0;
    if (e.getString(raw, length).bad() || raw == nullptr) return;
    std::string_view all(raw, length);
    // Text is UTF-8 after prepare_dataset, except where the sender broke its own declaration
    // (invalid ISO_IR 192 bytes) or put bytes beyond ASCII in a VR no character set applies to
    // (CS, UI, DA...): those bytes are read as Latin-1, as text without a character set is.
    std::string repaired;
    if (!simdjson::validate_utf8(all.data(), all.size())) {
        repaired = utf8_with_latin1_bytes(all);
        all = repaired;
    }
    std::string_view vr = DcmVR(e.getVR()).getValidVRName();
    if (all.empty()) return;
    if (is_single_text_vr(vr)) {
        each(text_value(all));
        return;
    }
    bool pn = vr == "PN";
    for (;;) {
        auto bs = all.find('\\');
        std::string_view one = all.substr(0, bs);
        each(pn ? person_name_value(one) : text_value(one));
        if (bs == std::string_view::npos) break;
        all.remove_prefix(bs + 1);
    }
}

namespace {

using Each = std::function<void(const RawValue&)>;

// Value `i` of a binary integer element through DCMTK's getter for its type.
template <typename T>
OFCondition emit_integer(DcmElement& e, OFCondition (DcmElement::*get)(T&, const unsigned long), unsigned long i,
                         const Each& each) {
    T v{};
    OFCondition ok = (e.*get)(v, i);
    if (ok.good()) emit_number(each, static_cast<double>(v), std::to_string(v));
    return ok;
}

template <typename T>
OFCondition emit_float(DcmElement& e, OFCondition (DcmElement::*get)(T&, const unsigned long), unsigned long i,
                       const Each& each) {
    T v{};
    OFCondition ok = (e.*get)(v, i);
    if (ok.good()) emit_number(each, static_cast<double>(v), number_text(static_cast<double>(v)));
    return ok;
}

OFCondition emit_tag(DcmElement& e, unsigned long i, const Each& each) {
    DcmTagKey v;
    OFCondition ok = e.getTagVal(v, i);
    if (ok.good()) {
        char hex[9];
        std::snprintf(hex, sizeof hex, "%04X%04X", v.getGroup(), v.getElement());
        emit_number(each, static_cast<double>((static_cast<Uint32>(v.getGroup()) << 16) | v.getElement()), hex);
    }
    return ok;
}

}  // namespace

void DcmtkReader::binary_values(DcmElement& e, const std::function<void(const RawValue&)>& each) const {
    const DcmEVR evr = e.getVR();
    const unsigned long n = e.getVM();
    for (unsigned long i = 0; i < n; ++i) {
        OFCondition ok = EC_Normal;
        switch (evr) {
            case EVR_US: ok = emit_integer<Uint16>(e, &DcmElement::getUint16, i, each); break;
            case EVR_SS: ok = emit_integer<Sint16>(e, &DcmElement::getSint16, i, each); break;
            case EVR_UL: ok = emit_integer<Uint32>(e, &DcmElement::getUint32, i, each); break;
            case EVR_SL: ok = emit_integer<Sint32>(e, &DcmElement::getSint32, i, each); break;
            case EVR_SV: ok = emit_integer<Sint64>(e, &DcmElement::getSint64, i, each); break;
            case EVR_UV: ok = emit_integer<Uint64>(e, &DcmElement::getUint64, i, each); break;
            case EVR_FL: ok = emit_float<Float32>(e, &DcmElement::getFloat32, i, each); break;
            case EVR_FD: ok = emit_float<Float64>(e, &DcmElement::getFloat64, i, each); break;
            case EVR_AT: ok = emit_tag(e, i, each); break;
            default: return;  // an ambiguous VR (US or SS...): nothing
        }
        if (ok.bad()) throw MalformedJson("a binary number element cannot be read: " + std::string(ok.text()));
    }
}

void DcmtkReader::items(const std::function<void(DatasetReader* item)>& each) {
    auto* seq = dynamic_cast<DcmSequenceOfItems*>(&current());
    if (seq == nullptr) return;
    for (unsigned long i = 0; i < seq->card(); ++i) {
        DcmItem* item = seq->getItem(i);
        if (item == nullptr) {
            each(nullptr);
            continue;
        }
        DcmtkReader reader(*item, max_value_bytes_);
        each(&reader);
    }
}

void DcmtkReader::rewind() {
    index_ = -1;
    vr_name_.clear();
}

namespace {

bool is_even_public(const DcmTagKey& k) { return (k.getGroup() & 1) == 0 && k.getElement() != 0; }

// The dictionary VR a UN element is re-read with, or EVR_UN when it stays binary (unknown tag,
// private tag, a VR the dictionary leaves open such as "US or SS", or bulk).
DcmEVR dictionary_evr(const DcmTagKey& key) {
    if (!is_even_public(key)) return EVR_UN;
    DcmTag tag(key);
    DcmEVR evr = tag.getEVR();
    DcmVR vr(evr);
    if (evr == EVR_SQ) return evr;
    if (!vr.isStandard() || is_bulk_vr(evr)) return EVR_UN;
    return evr;
}

// Re-reads a UN element's bytes (implicit VR little endian, PS3.5 6.2.2) as an element of the
// dictionary's VR. nullptr when they do not read as one.
DcmElement* reread_un(DcmElement& un, std::uint32_t max_value_bytes) {
    const Uint32 length = un.getLength();
    if (length > max_value_bytes)
        throw LimitExceeded("a UN element's value is longer than " + std::to_string(max_value_bytes) + " bytes");
    Uint8* data = nullptr;
    if (length > 0 && (un.getUint8Array(data).bad() || data == nullptr)) return nullptr;
    const DcmTagKey& key = un.getTag();
    std::string bytes(8 + length, '\0');
    const Uint16 g = key.getGroup(), el = key.getElement();
    const unsigned char head[8] = {static_cast<unsigned char>(g & 0xFF), static_cast<unsigned char>(g >> 8),
                                   static_cast<unsigned char>(el & 0xFF), static_cast<unsigned char>(el >> 8),
                                   static_cast<unsigned char>(length & 0xFF), static_cast<unsigned char>((length >> 8) & 0xFF),
                                   static_cast<unsigned char>((length >> 16) & 0xFF), static_cast<unsigned char>(length >> 24)};
    std::memcpy(bytes.data(), head, 8);
    if (length > 0) std::memcpy(bytes.data() + 8, data, length);
    DcmInputBufferStream in;
    in.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
    in.setEos();
    DcmDataset parsed;
    parsed.transferInit();
    OFCondition c = parsed.read(in, EXS_LittleEndianImplicit, EGL_noChange, DCM_MaxReadLength);
    parsed.transferEnd();
    if (c.bad() || parsed.card() != 1) return nullptr;
    DcmElement* e = parsed.remove(static_cast<unsigned long>(0));
    if (e != nullptr && e->getTag() != key) {
        delete e;
        return nullptr;
    }
    return e;
}

void convert_known_un(DcmItem& item, std::uint32_t max_value_bytes, int depth) {
    if (depth > kDefaultMaxDepth)
        throw LimitExceeded("sequences nest deeper than " + std::to_string(kDefaultMaxDepth) + " levels");
    for (unsigned long i = 0; i < item.card(); ++i) {
        DcmElement* e = item.getElement(i);
        if (e == nullptr) continue;
        if (e->getVR() == EVR_UN && e->ident() != EVR_SQ && dictionary_evr(e->getTag()) != EVR_UN) {
            if (DcmElement* known = reread_un(*e, max_value_bytes)) {
                if (item.insert(known, OFTrue /*replace the UN element*/).bad()) {
                    delete known;
                } else {
                    e = item.getElement(i);
                    if (e == nullptr) continue;
                }
            }
        }
        if (auto* seq = dynamic_cast<DcmSequenceOfItems*>(e))
            for (unsigned long k = 0; k < seq->card(); ++k)
                if (DcmItem* it = seq->getItem(k)) convert_known_un(*it, max_value_bytes, depth + 1);
    }
}

}  // namespace

void prepare_dataset(DcmDataset& dataset, std::uint32_t max_value_bytes) {
    convert_known_un(dataset, max_value_bytes, 0);
    // The element keeps what the object declared (as a DICOMweb PACS reports it): DCMTK would
    // rewrite it to ISO_IR 192.
    OFString original;
    const bool present = dataset.findAndGetOFStringArray(DCM_SpecificCharacterSet, original, OFFalse).good();
    std::string why;
    if (!convert_text_to_utf8(dataset, max_value_bytes, why))
        throw MalformedJson("the dataset's text cannot be converted to UTF-8 from its specific character set (" +
                            why + ")");
    if (present)
        dataset.putAndInsertOFStringArray(DCM_SpecificCharacterSet, original);
    else
        dataset.findAndDeleteElement(DCM_SpecificCharacterSet);
}

bool has_part10_preamble(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return false;
    char magic[4] = {};
    bool ok = std::fseek(f, 128, SEEK_SET) == 0 && std::fread(magic, 1, 4, f) == 4;
    std::fclose(f);
    return ok && std::memcmp(magic, "DICM", 4) == 0;
}

std::unique_ptr<DcmFileFormat> read_part10_headers(const std::string& path) {
    // DCMTK warns on every file that stops at PixelData (as asked) and errs on every file that is
    // not DICOM (the import summary names those): only its fatal errors are logged.
    static const bool quiet = [] {
        OFLog::getLogger("dcmtk.dcmdata").setLogLevel(OFLogger::FATAL_LOG_LEVEL);
        return true;
    }();
    (void)quiet;
    auto file = std::make_unique<DcmFileFormat>();
    OFCondition c = file->loadFileUntilTag(OFFilename(path.c_str()), EXS_Unknown, EGL_noChange, kLoadInMemoryBytes,
                                           ERM_autoDetect, DCM_PixelData);
    if (c.bad() || file->getDataset() == nullptr) return nullptr;
    return file;
}

}  // namespace dicomlake::model
