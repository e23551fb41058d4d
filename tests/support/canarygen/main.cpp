// dicomlake-canarygen: writes a few DICOM studies (Part 10, UTF-8) in which every attribute the
// chosen de-identification profile removes, replaces or cleans carries a canary: a unique,
// unmistakable value (CNRY123456X, CNRY123456^GIVEN123456, a UID under
// 1.2.826.0.1.3680043.10.9999., a date between 1901 and 1960), at sequence depths 0 to 3, in
// private blocks with and without a creator, in SR TEXT/PNAME content items, inside cleaned
// descriptors, plus normal analytic values that must survive. DIR/canaries.json lists every
// canary with every place it was planted, and the values that must survive with where
// dicomlake stores them. Same arguments => identical files and canaries.json.
//
//   dicomlake-canarygen --out DIR [--seed N] [--options LIST] [--date YYYY-MM-DD]
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dctk.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "util/dates.hpp"
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "deid/e1_1_table.hpp"
#include "deid/profile.hpp"
#include "model/dictionary.hpp"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
namespace deid = dicomlake::deid;
namespace model = dicomlake::model;
using deid::Rule;
using model::TagKey;

namespace {

constexpr const char* kUidRoot = "1.2.826.0.1.3680043.10.9999.";
constexpr const char* kCreator = "DICOMLAKE CANARY";
constexpr const char* kMrStorage = "1.2.840.10008.5.1.4.1.1.4";
constexpr const char* kCtStorage = "1.2.840.10008.5.1.4.1.1.2";
constexpr const char* kDoseSr = "1.2.840.10008.5.1.4.1.1.88.67";
constexpr const char* kDetachedPatient = "1.2.840.10008.3.1.2.1.1";

// ---- civil dates (days since 1970-01-01) ----
// Calendar arithmetic: dicomlake's own (util/dates), which this program links.
long days_from_civil(long y, unsigned m, unsigned d) {
    char b[16];
    std::snprintf(b, sizeof b, "%04ld-%02u-%02u", y, m, d);
    return *dicomlake::parse_iso_date(b);
}
std::string iso(long days) { return dicomlake::format_iso_date(days); }
std::string da(long days) {  // YYYYMMDD
    std::string s = iso(days);
    return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
}
std::optional<long> parse_iso(const std::string& s) { return dicomlake::parse_iso_date(s); }

std::string tag_text(TagKey t) {
    char b[16];
    std::snprintf(b, sizeof b, "(%04X,%04X)", model::tag_group(t), model::tag_element(t));
    return b;
}

bool one_of(const std::string& vr, std::initializer_list<const char*> list) {
    for (const char* v : list)
        if (vr == v) return true;
    return false;
}
bool binary_vr(const std::string& vr) { return one_of(vr, {"OB", "OW", "OD", "OF", "OL", "OV", "UN"}); }
bool numeric_vr(const std::string& vr) { return one_of(vr, {"US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "AT"}); }

void check(const OFCondition& c, TagKey tag, const std::string& what) {
    if (c.bad()) throw std::runtime_error("DCMTK: cannot set " + tag_text(tag) + " (" + what + "): " + c.text());
}

// One value that must never reach the warehouse or the logs, in each spelling it may take.
struct CanaryRef {
    std::string value;
    std::vector<std::string> forms;  // other spellings (ISO date...)
    std::string kind;
};

// A place in a data set being written: an item, its keyword path prefix, its enclosing
// sequences, and the first enclosing sequence the profile removes (then everything inside goes).
struct Node {
    DcmItem* item = nullptr;
    std::string path;  // "" or "RequestAttributesSequence[0]."
    int depth = 0;
    std::string removed_by;
};

struct Patient {
    std::string family, given, name, id, issuer, accession, other_id;
    long birth = 0;
};

class Generator {
public:
    Generator(std::uint32_t seed, deid::ProfileOptions options, long study_day, fs::path out)
        : seed_(seed), options_(options), rules_(options), day_(study_day), out_(std::move(out)) {
        n_ = 100000 + (static_cast<long>(seed) * 7919L) % 800000;  // six digits, room for ~100000 canaries
        uid_root_ = std::string(kUidRoot) + std::to_string(seed) + ".";
    }

    void run() {
        write_mr_study();
        write_ct_study();
    }

    json report() const;

private:
    // ---- fresh canary values ----
    std::string token(char suffix) {
        char b[20];
        std::snprintf(b, sizeof b, "CNRY%06ld%c", n_++, suffix);
        return b;
    }
    Patient patient() {
        Patient p;
        long n = n_++;
        char f[20], g[20];
        std::snprintf(f, sizeof f, "CNRY%06ld", n);
        std::snprintf(g, sizeof g, "GIVEN%06ld", n);
        p.family = f;
        p.given = g;
        p.name = p.family + "^" + p.given;
        p.id = token('P');
        p.issuer = token('I');
        p.accession = token('A');
        p.other_id = token('O');
        p.birth = canary_day();
        return p;
    }
    std::pair<std::string, std::string> person() {  // family, given
        long n = n_++;
        char f[20], g[20];
        std::snprintf(f, sizeof f, "CNRY%06ld", n);
        std::snprintf(g, sizeof g, "GIVEN%06ld", n);
        return {f, g};
    }
    std::string uid() { return uid_root_ + std::to_string(uid_n_++); }
    // Canary dates: 1810-01-01 + (m mod 7) + 3647 * (m div 7). Two of them on the same weekday
    // are at least 3647 days apart, so no date shifted back by a whole number of weeks within
    // ten years (what dicomlake's Modified Dates do) can land on another canary date; all of
    // them lie far before any real study date (and after 1800, which the warehouse's date
    // columns require, so a leak into a column shows).
    long canary_day() {
        long m = date_m_++;
        return days_from_civil(1810, 1, 1) + (m % 7) + 3647 * (m / 7);
    }
    // The same Table E.1-1 date attribute carries the same canary date in every series, which
    // keeps the dates few enough for the spacing above.
    long e11_day(TagKey tag) {
        auto it = e11_days_.find(tag);
        if (it == e11_days_.end()) it = e11_days_.emplace(tag, canary_day()).first;
        return it->second;
    }

    static CanaryRef tok(const std::string& v, const std::string& kind) { return {v, {}, kind}; }
    static CanaryRef date_ref(long day, const std::string& kind) { return {da(day), {iso(day)}, kind}; }
    // A DT canary: the whole value, the ISO date-time dicomlake would write, and the date alone.
    static CanaryRef datetime_ref(long day, const std::string& hhmmss, const std::string& kind) {
        std::string t = hhmmss.substr(0, 2) + ":" + hhmmss.substr(2, 2) + ":" + hhmmss.substr(4, 2);
        return {da(day) + hhmmss, {iso(day) + "T" + t, iso(day), da(day)}, kind};
    }
    static std::vector<CanaryRef> pn_refs(const std::string& family, const std::string& given,
                                          const std::string& kind) {
        return {{family + "^" + given, {}, kind}, {family, {}, kind}, {given, {}, kind}};
    }

    // ---- the profile ----
    bool kept_by_option(TagKey tag) const {
        for (std::size_t i = 0; i < deid::kE11RowCount; ++i) {
            const deid::E11Row& row = deid::kE11Rows[i];
            if (row.private_wildcard || row.mask != 0xFFFFFFFFu || row.tag != tag) continue;
            for (int o = 0; o < deid::kProfileOptionCount; ++o)
                if (options_.has(static_cast<deid::ProfileOption>(o)) && std::string(row.options[o]) == "K")
                    return true;
        }
        return false;
    }
    // What happens to the value of `tag` at `node`: keep, remove, replace_uid, shift_date, clean_text.
    std::string treatment(const Node& node, TagKey tag, const std::string& vr) const {
        if (!node.removed_by.empty()) return "remove";
        // SR free text (Text Value is not a row of Table E.1-1): the Content Sequence is removed,
        // or cleaned under clean-structured-content, and free text cannot be cleaned reliably.
        if (tag == 0x0040A160) return "remove";
        switch (rules_.lookup(tag, vr)) {
            case Rule::keep:
            case Rule::keep_sequence:
                return "keep";
            case Rule::remove:
                return "remove";
            case Rule::replace_uid:
                return vr == "UI" ? "replace_uid" : "remove";
            case Rule::shift_date:
                return (vr == "DA" || vr == "DT") ? "shift_date" : "keep";
            case Rule::clean_text:
                return "clean_text";
            case Rule::safe_private:
                return "remove";  // no safe-private list is configured
        }
        return "remove";
    }

    // ---- writing ----
    Node child(const Node& parent, TagKey seq) {
        DcmTag tag(model::tag_group(seq), model::tag_element(seq), EVR_SQ);
        DcmSequenceOfItems* sq = nullptr;
        DcmElement* existing = nullptr;
        if (parent.item->findAndGetElement(DcmTagKey(model::tag_group(seq), model::tag_element(seq)), existing, OFFalse)
                .good() &&
            existing != nullptr && existing->ident() == EVR_SQ) {
            sq = static_cast<DcmSequenceOfItems*>(existing);
        } else {
            sq = new DcmSequenceOfItems(tag);
            check(parent.item->insert(sq, OFTrue), seq, "sequence");
        }
        auto* item = new DcmItem();
        check(sq->append(item), seq, "item");
        Node n;
        n.item = item;
        n.path = parent.path + model::keyword_for(seq) + "[" + std::to_string(sq->card() - 1) + "].";
        n.depth = parent.depth + 1;
        n.removed_by = parent.removed_by;
        if (n.removed_by.empty() && treatment(parent, seq, "SQ") == "remove") n.removed_by = model::keyword_for(seq);
        return n;
    }

    void put(const Node& node, TagKey tag, const std::string& vr, const std::string& value) {
        DcmTag t(model::tag_group(tag), model::tag_element(tag), DcmVR(vr.c_str()).getEVR());
        check(node.item->putAndInsertString(t, value.c_str(), static_cast<Uint32>(value.size())), tag, value);
    }
    void put_fd(const Node& node, TagKey tag, double value) {
        check(node.item->putAndInsertFloat64(DcmTag(model::tag_group(tag), model::tag_element(tag), EVR_FD), value),
              tag, "FD");
    }

    json where(const Node& node, TagKey tag, const std::string& vr, const std::string& treatment) const {
        json w;
        w["study"] = study_name_;
        w["series"] = series_no_;
        w["tag"] = tag_text(tag);
        w["vr"] = vr;
        w["path"] = node.path + model::keyword_for(tag);
        w["depth"] = node.depth;
        w["rule"] = model::is_private(tag) || !node.removed_by.empty() ? std::string(treatment)
                                                                       : deid::to_string(rules_.lookup(tag, vr));
        w["treatment"] = treatment;
        if (!node.removed_by.empty()) w["inside_removed"] = node.removed_by;
        return w;
    }

    void record(const CanaryRef& c, const json& w) {
        std::string tr = w["treatment"].get<std::string>();
        if (tr == "keep") {
            kept_values_[c.value].push_back(w);
            return;
        }
        auto it = index_.find(c.value);
        if (it == index_.end()) {
            it = index_.emplace(c.value, canaries_.size()).first;
            json e;
            e["value"] = c.value;
            e["forms"] = c.forms;
            e["kind"] = c.kind;
            e["where"] = json::array();
            canaries_.push_back(e);
        }
        canaries_[it->second]["where"].push_back(w);
    }

    // Writes `value` into `tag` and records each canary it carries at this place.
    void plant(const Node& node, TagKey tag, const std::string& vr, const std::string& value,
               const std::vector<CanaryRef>& refs) {
        put(node, tag, vr, value);
        json w = where(node, tag, vr, treatment(node, tag, vr));
        for (const auto& c : refs) record(c, w);
    }
    // Values that are not identifying but must be found, with their value, in the warehouse.
    void must_survive(const std::string& name, const json& value, const std::string& table, const std::string& column,
                      const std::string& attributes_path = {}) {
        json m;
        m["name"] = name;
        m["study_uid"] = study_uid_;
        if (table == "series") m["series_uid"] = series_uid_;
        m["table"] = table;
        if (!column.empty()) m["column"] = column;
        if (!attributes_path.empty()) m["attributes_path"] = attributes_path;
        m["value"] = value;
        must_survive_.push_back(m);
    }

    // The identifiers of some patient or study, as found in request and reference items.
    void identity_set(const Node& n, const std::string& kind) {
        auto [family, given] = person();
        plant(n, 0x00100010, "PN", family + "^" + given, pn_refs(family, given, kind));
        std::string id = token('P');
        plant(n, 0x00100020, "LO", id, {tok(id, kind)});
        std::string issuer = token('I');
        plant(n, 0x00100021, "LO", issuer, {tok(issuer, kind)});
        std::string acc = token('A');
        plant(n, 0x00080050, "SH", acc, {tok(acc, kind)});
        long birth = canary_day();
        plant(n, 0x00100030, "DA", da(birth), {date_ref(birth, kind)});
        std::string other = token('O');
        plant(n, 0x00101000, "LO", other, {tok(other, kind)});
        std::string study = uid();
        plant(n, 0x0020000D, "UI", study, {tok(study, kind)});
        std::string req = token('R');
        plant(n, 0x00401001, "SH", req, {tok(req, kind)});  // RequestedProcedureID
    }

    // A private block with its creator, and one without.
    void private_blocks(const Node& n, const Patient& p) {
        put(n, 0x00190010, "LO", kCreator);
        std::string a = token('V'), b = token('V');
        plant(n, 0x00191010, "LO", a, {tok(a, "private_with_creator")});
        plant(n, 0x00191011, "SH", b, {tok(b, "private_with_creator")});
        plant(n, 0x00191012, "LO", p.name, pn_refs(p.family, p.given, "patient_name"));
        plant(n, 0x00191013, "LO", p.id, {tok(p.id, "patient_id")});
        Node item = child(n, 0x00191014);
        std::string c = token('V');
        plant(item, 0x00080104, "LO", c, {tok(c, "private_sequence_content")});
        // (0021,10xx) without a (0021,0010) creator.
        std::string d = token('W');
        plant(n, 0x00211010, "LO", d, {tok(d, "private_without_creator")});
        plant(n, 0x00211011, "SH", p.accession, {tok(p.accession, "accession")});
    }

    // The patient module, the study's identifiers and descriptors, nested request/other-ID
    // items down to depth 3.
    void study_level(const Node& top, const Patient& p, const std::string& description_head) {
        put(top, 0x00080005, "CS", "ISO_IR 192");
        plant(top, 0x00100010, "PN", p.name, pn_refs(p.family, p.given, "patient_name"));
        plant(top, 0x00100020, "LO", p.id, {tok(p.id, "patient_id")});
        plant(top, 0x00100021, "LO", p.issuer, {tok(p.issuer, "issuer_of_patient_id")});
        plant(top, 0x00100030, "DA", da(p.birth), {date_ref(p.birth, "patient_birth_date")});
        plant(top, 0x00101000, "LO", p.other_id, {tok(p.other_id, "other_patient_id")});
        plant(top, 0x0020000D, "UI", study_uid_, {tok(study_uid_, "study_uid")});
        plant(top, 0x00080050, "SH", p.accession, {tok(p.accession, "accession")});
        put(top, 0x00080020, "DA", da(day_));
        put(top, 0x00080030, "TM", "081500");
        plant(top, 0x00081030, "LO", description_head + " " + p.family + " " + p.given + " " + p.id,
              {tok(p.family, "patient_name"), tok(p.given, "patient_name"), tok(p.id, "patient_id")});

        // Other Patient IDs Sequence > Issuer Qualifiers > Assigning Facility: depth 1..3.
        Node other = child(top, 0x00101002);
        plant(other, 0x00100020, "LO", p.other_id, {tok(p.other_id, "other_patient_id")});
        std::string other_issuer = token('I');
        plant(other, 0x00100021, "LO", other_issuer, {tok(other_issuer, "other_patient_id")});
        put(other, 0x00100022, "CS", "TEXT");
        Node qual = child(other, 0x00100024);
        std::string ueid = token('U');
        plant(qual, 0x00400032, "UT", ueid, {tok(ueid, "other_patient_id")});
        put(qual, 0x00400033, "CS", "ISO");
        Node facility = child(qual, 0x00400036);
        std::string ns = token('U');
        plant(facility, 0x00400031, "UT", ns, {tok(ns, "other_patient_id")});

        Node refpat = child(top, 0x00081120);
        put(refpat, 0x00081150, "UI", kDetachedPatient);
        std::string rp = uid();
        plant(refpat, 0x00081155, "UI", rp, {tok(rp, "referenced_patient_uid")});

        // Request Attributes Sequence > Referenced Study Sequence > Purpose of Reference: the
        // same kind of identifiers at depths 1, 2 and 3 (the accession of the study itself too).
        Node req = child(top, 0x00400275);
        plant(req, 0x00080050, "SH", p.accession, {tok(p.accession, "accession")});
        plant(req, 0x00321060, "LO", "Request " + p.family + " " + p.id,
              {tok(p.family, "patient_name"), tok(p.id, "patient_id")});  // RequestedProcedureDescription
        identity_set(req, "nested_identity");
        Node refstudy = child(req, 0x00081110);
        put(refstudy, 0x00081150, "UI", "1.2.840.10008.3.1.2.3.1");
        plant(refstudy, 0x00081155, "UI", study_uid_, {tok(study_uid_, "study_uid")});
        identity_set(refstudy, "nested_identity");
        Node purpose = child(refstudy, 0x0040A170);
        put(purpose, 0x00080100, "SH", "121311");
        put(purpose, 0x00080102, "SH", "DCM");
        put(purpose, 0x00080104, "LO", "Localizer");
        identity_set(purpose, "nested_identity");
    }

    void patient_characteristics(const Node& top, const std::string& age, const std::string& sex,
                                 const std::string& size, const std::string& weight) {
        put(top, 0x00101010, "AS", age);
        put(top, 0x00100040, "CS", sex);
        put(top, 0x00101020, "DS", size);
        put(top, 0x00101030, "DS", weight);
        if (treatment(top, 0x00101010, "AS") == "keep") must_survive("PatientAge", age, "study", "patient_age");
        if (treatment(top, 0x00100040, "CS") == "keep") must_survive("PatientSex", sex, "study", "patient_sex");
        if (treatment(top, 0x00101020, "DS") == "keep")
            must_survive("PatientSize", std::stod(size), "study", "patient_size_m");
        if (treatment(top, 0x00101030, "DS") == "keep")
            must_survive("PatientWeight", std::stod(weight), "study", "patient_weight_kg");
    }

    void equipment(const Node& top, const std::string& manufacturer, const std::string& model,
                   const std::string& serial, const std::string& station) {
        put(top, 0x00080070, "LO", manufacturer);
        put(top, 0x00081090, "LO", model);
        put(top, 0x00181000, "LO", serial);
        put(top, 0x00081010, "SH", station);
        // A kept model name is cleaned of identity tokens, which it does not hold: it survives as is.
        if (auto t = treatment(top, 0x00081090, "LO"); t == "keep" || t == "clean_text")
            must_survive("ManufacturerModelName", model, "series", "model");
        if (treatment(top, 0x00181000, "LO") == "keep")
            must_survive("DeviceSerialNumber", serial, "series", "device_serial");
    }

    // Every Table E.1-1 attribute the profile removes, replaces or cleans, at depth 0 of `top`
    // (sequences get an item with nested canaries).
    void plant_e11(const Node& top, const Patient& p);

    // Kept sequences nested three deep, each item with identifiers and a private block.
    void reference_chain(const Node& top, const char* sop_class) {
        Node img = child(top, 0x00081140);  // Referenced Image Sequence (X/Z/U*: kept, UIDs replaced)
        put(img, 0x00081150, "UI", sop_class);
        std::string ref = uid();
        plant(img, 0x00081155, "UI", ref, {tok(ref, "referenced_sop_uid")});
        identity_set(img, "nested_identity");
        Node purpose = child(img, 0x0040A170);  // Purpose of Reference Code Sequence
        put(purpose, 0x00080100, "SH", "121311");
        put(purpose, 0x00080102, "SH", "DCM");
        put(purpose, 0x00080104, "LO", "Localizer");
        identity_set(purpose, "nested_identity");
        put(purpose, 0x00290010, "LO", kCreator);
        std::string v = token('V');
        plant(purpose, 0x00291010, "LO", v, {tok(v, "private_with_creator")});
        Node region = child(purpose, 0x00082218);  // Anatomic Region Sequence
        put(region, 0x00080100, "SH", "T-D4000");
        put(region, 0x00080102, "SH", "SRT");
        put(region, 0x00080104, "LO", "Abdomen");
        identity_set(region, "nested_identity");
        std::string w = token('W');
        plant(region, 0x00211010, "LO", w, {tok(w, "private_without_creator")});
    }

    std::string file_path(int study, int series, int instance) const {
        fs::path dir = out_ / "dicom" / std::to_string(study) / std::to_string(series);
        fs::create_directories(dir);
        return (dir / (std::to_string(instance) + ".dcm")).string();
    }
    void save(DcmDataset& ds, const std::string& path) {
        DcmFileFormat file(&ds);
        OFCondition c = file.saveFile(path.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength);
        if (c.bad()) throw std::runtime_error("cannot write " + path + ": " + c.text());
        files_.push_back(fs::relative(path, out_).string());
    }

    void write_mr_study();
    void write_ct_study();
    json study_entry(const std::string& name, const std::string& modality) {
        json s;
        s["name"] = name;
        s["modality"] = modality;
        s["study_uid"] = study_uid_;
        s["study_date"] = iso(day_);
        s["series"] = json::array();
        return s;
    }

    std::uint32_t seed_;
    deid::ProfileOptions options_;
    deid::RuleTable rules_;
    long day_;
    fs::path out_;
    long n_ = 0, uid_n_ = 1, date_m_ = 0;
    std::string uid_root_;

    std::string study_name_, study_uid_, series_uid_;
    int series_no_ = 0;

    json canaries_ = json::array();
    std::map<std::string, std::size_t> index_;
    std::map<std::string, std::vector<json>> kept_values_;
    std::map<TagKey, long> e11_days_;
    json must_survive_ = json::array();
    json studies_ = json::array();
    json e11_skipped_ = json::array();
    json e11_planted_ = json::array();
    bool e11_listed_ = false;
    std::vector<std::string> files_;
};

// Tags the study writers set themselves (with canaries, the study day, or values that must
// survive); the E.1-1 sweep leaves them alone.
const std::set<TagKey>& specific_tags() {
    static const std::set<TagKey> s = {
        0x00080005, 0x00080016, 0x00080018, 0x00080020, 0x00080021, 0x00080022, 0x00080023, 0x0008002A,
        0x00080030, 0x00080031, 0x00080032, 0x00080033, 0x00080050, 0x00080060, 0x00080070, 0x00081010,
        0x00081030, 0x0008103E, 0x00081090, 0x00081110, 0x00081120, 0x00081140, 0x00083010, 0x00100010,
        0x00100020, 0x00100021, 0x00100030, 0x00100040, 0x00101000, 0x00101002, 0x00101010, 0x00101020,
        0x00101030, 0x00181000, 0x00181030, 0x0020000D, 0x0020000E, 0x00200052, 0x00400275, 0x0040A730,
    };
    return s;
}

void Generator::plant_e11(const Node& top, const Patient& p) {
    const bool list = !e11_listed_;
    auto skip = [&](const deid::E11Row& row, const std::string& vr, const std::string& reason) {
        if (!list) return;
        json s;
        s["tag"] = row.private_wildcard ? std::string("(gggg,eeee) odd gggg") : tag_text(row.tag);
        s["name"] = row.name;
        s["vr"] = vr;
        s["reason"] = reason;
        e11_skipped_.push_back(s);
    };
    for (std::size_t i = 0; i < deid::kE11RowCount; ++i) {
        const deid::E11Row& row = deid::kE11Rows[i];
        if (row.private_wildcard) {
            skip(row, "", "private attributes: planted as blocks with and without a creator");
            continue;
        }
        if (row.mask != 0xFFFFFFFFu) {
            skip(row, "", "repeating-group (wildcard) row");
            continue;
        }
        const TagKey tag = row.tag;
        const std::uint16_t group = model::tag_group(tag);
        if (group == 0x0000 || group == 0x0002) {
            skip(row, "", "command or file meta group, not a data set attribute");
            continue;
        }
        if (tag == 0x00189074) {
            skip(row, "DT",
                 "an acquisition time: real acquisition days reach only the utilization aggregates (activity_day); "
                 "the studies carry theirs in AcquisitionDate/AcquisitionDateTime (the study day)");
            continue;
        }
        if (specific_tags().count(tag)) {
            skip(row, model::dictionary_vr(tag), "planted by the study writer (see the canaries' paths)");
            continue;
        }
        const std::string vr = model::dictionary_vr(tag);
        if (vr.empty()) {
            skip(row, vr, "not in DCMTK's data dictionary");
            continue;
        }
        if (binary_vr(vr) || numeric_vr(vr)) {
            skip(row, vr, "binary or numeric VR cannot carry a canary");
            continue;
        }
        if (one_of(vr, {"TM", "AS", "DS", "IS"})) {
            skip(row, vr, "VR format (time, age, number) cannot carry an unmistakable canary");
            continue;
        }
        const std::string tr = treatment(top, tag, vr);
        if (tr == "keep" && !(vr == "SQ" && !kept_by_option(tag))) {
            skip(row, vr, "kept by the profile");
            continue;
        }
        if (list) {
            json e;
            e["tag"] = tag_text(tag);
            e["name"] = row.name;
            e["vr"] = vr;
            e["rule"] = deid::to_string(rules_.lookup(tag, vr));
            e11_planted_.push_back(e);
        }
        const std::string kind = "e11";
        if (vr == "SQ") {
            Node item = child(top, tag);
            std::string ref = uid();
            plant(item, 0x00081155, "UI", ref, {tok(ref, "e11_sequence_content")});
            if (!item.removed_by.empty()) {
                // The whole sequence goes: even attributes kept elsewhere must not survive.
                std::string code = token('C'), meaning = token('M');
                plant(item, 0x00080100, "SH", code, {tok(code, "e11_sequence_content")});
                put(item, 0x00080102, "SH", "99CNRY");
                plant(item, 0x00080104, "LO", meaning, {tok(meaning, "e11_sequence_content")});
            } else {
                // A kept (cleaned, or UID-replaced) sequence: its items follow their own rules.
                std::string id = token('P');
                plant(item, 0x00100020, "LO", id, {tok(id, "e11_sequence_content")});
            }
        } else if (vr == "DA") {
            long d = e11_day(tag);
            plant(top, tag, vr, da(d), {date_ref(d, kind)});
        } else if (vr == "DT") {
            long d = e11_day(tag);
            plant(top, tag, vr, da(d) + "083000", {datetime_ref(d, "083000", kind)});
        } else if (vr == "PN") {
            auto [family, given] = person();
            plant(top, tag, vr, family + "^" + given, pn_refs(family, given, kind));
        } else if (vr == "UI") {
            std::string u = uid();
            plant(top, tag, vr, u, {tok(u, kind)});
        } else if (tr == "clean_text") {
            // A descriptor the profile cleans: what cleaning must remove is the patient's name,
            // ID and accession number written into it.
            if (one_of(vr, {"SH", "CS", "AE"})) {
                plant(top, tag, vr, p.id, {tok(p.id, "patient_id")});
            } else if (vr == "LO") {
                plant(top, tag, vr, "Desc " + p.family + " " + p.id + " " + p.accession,
                      {tok(p.family, "patient_name"), tok(p.id, "patient_id"), tok(p.accession, "accession")});
            } else {
                plant(top, tag, vr,
                      "Note on " + p.name + ", ID " + p.id + ", accession " + p.accession + ", " + p.given + ".",
                      {tok(p.family, "patient_name"), tok(p.given, "patient_name"), tok(p.id, "patient_id"),
                       tok(p.accession, "accession")});
            }
        } else {
            std::string t = token('X');
            std::string value = vr == "UR"                       ? "https://example.org/" + t
                                : one_of(vr, {"ST", "LT", "UT"}) ? "Free text " + t + " end"
                                                                 : t;
            plant(top, tag, vr, value, {tok(t, kind)});
        }
    }
    if (list) e11_listed_ = true;
}

void Generator::write_mr_study() {
    study_name_ = "mr";
    study_uid_ = uid();
    series_no_ = 0;
    Patient p = patient();
    json study = study_entry("mr", "MR");

    DcmDataset study_ds;
    Node top{&study_ds, "", 0, ""};
    study_level(top, p, "MR LSPINE");
    patient_characteristics(top, "047Y", "F", "1.68", "64.5");

    struct SeriesPlan {
        const char* desc;
        const char* protocol;
        const char* nex;
        const char* tr;
        const char* te;
    };
    const SeriesPlan plans[] = {{"Sag T2", "t2_tse_sag", "2", "3200", "98"}, {"Ax T1", "t1_tse_tra", "1", "650", "12"}};
    int number = 0;
    for (const auto& plan : plans) {
        ++number;
        series_no_ = number;
        series_uid_ = uid();
        DcmDataset series_ds(study_ds);
        Node s{&series_ds, "", 0, ""};
        put(s, 0x00080060, "CS", "MR");
        put(s, 0x00080016, "UI", kMrStorage);
        plant(s, 0x0020000E, "UI", series_uid_, {tok(series_uid_, "series_uid")});
        put(s, 0x00200011, "IS", std::to_string(number));
        long sdate = canary_day(), cdate = canary_day();
        plant(s, 0x00080021, "DA", da(sdate), {date_ref(sdate, "series_date")});
        put(s, 0x00080031, "TM", "082000");
        plant(s, 0x00080023, "DA", da(cdate), {date_ref(cdate, "content_date")});
        put(s, 0x00080033, "TM", "082500");
        // Acquisition on the study day: dicomlake keeps real acquisition times (unlinked).
        put(s, 0x00080022, "DA", da(day_));
        put(s, 0x00080032, "TM", "082100");
        put(s, 0x0008002A, "DT", da(day_) + "082100");
        plant(s, 0x0008103E, "LO", std::string(plan.desc) + " " + p.family + " " + p.accession,
              {tok(p.family, "patient_name"), tok(p.accession, "accession")});
        plant(s, 0x00181030, "LO", std::string(plan.protocol) + " " + p.id, {tok(p.id, "patient_id")});
        std::string frame = uid();
        plant(s, 0x00200052, "UI", frame, {tok(frame, "frame_of_reference_uid")});
        equipment(s, "Siemens Healthineers", "MAGNETOM Vida", "DLSER" + std::to_string(175000 + seed_ % 1000),
                  "MRLAB01");
        put(s, 0x00180083, "DS", plan.nex);
        put(s, 0x00180080, "DS", plan.tr);
        put(s, 0x00180081, "DS", plan.te);
        put(s, 0x00180087, "DS", "3");
        put(s, 0x00180050, "DS", "4");
        put(s, 0x00180015, "CS", "LSPINE");
        put(s, 0x00080008, "CS", "ORIGINAL\\PRIMARY\\M\\NORM");
        must_survive("NumberOfAverages", std::stod(plan.nex), "series", "nex");
        must_survive("RepetitionTime", std::stod(plan.tr), "series", "tr_ms");
        must_survive("EchoTime", std::stod(plan.te), "series", "te_ms");
        must_survive("MagneticFieldStrength", 3.0, "series", "field_strength_t");
        private_blocks(s, p);
        reference_chain(s, kMrStorage);
        plant_e11(s, p);

        json se;
        se["number"] = number;
        se["series_uid"] = series_uid_;
        se["modality"] = "MR";
        se["instances"] = json::array();
        for (int i = 1; i <= 2; ++i) {
            DcmDataset ds(series_ds);
            Node inst{&ds, "", 0, ""};
            std::string sop = uid();
            plant(inst, 0x00080018, "UI", sop, {tok(sop, "sop_instance_uid")});
            put(inst, 0x00200013, "IS", std::to_string(i));
            put(inst, 0x00200032, "DS", "0\\0\\" + std::to_string(4 * i));
            std::string path = file_path(1, number, i);
            save(ds, path);
            se["instances"].push_back({{"sop_uid", sop}, {"file", fs::relative(path, out_).string()}});
        }
        study["series"].push_back(se);
    }
    studies_.push_back(study);
}

void Generator::write_ct_study() {
    study_name_ = "ct";
    study_uid_ = uid();
    series_no_ = 0;
    Patient p = patient();
    json study = study_entry("ct", "CT");

    DcmDataset study_ds;
    Node top{&study_ds, "", 0, ""};
    study_level(top, p, "CT ABDOMEN");
    patient_characteristics(top, "063Y", "M", "1.81", "88");
    const std::string event_uid = uid();
    const std::string serial = "DLSER" + std::to_string(276000 + seed_ % 1000);
    const double ctdi = 11.25 + static_cast<double>(seed_ % 8) * 0.5;  // exact in binary
    const std::string dlp_total = std::to_string(400 + seed_ % 100) + ".75";

    // Series 1: CT images.
    {
        series_no_ = 1;
        series_uid_ = uid();
        DcmDataset series_ds(study_ds);
        Node s{&series_ds, "", 0, ""};
        put(s, 0x00080060, "CS", "CT");
        put(s, 0x00080016, "UI", kCtStorage);
        plant(s, 0x0020000E, "UI", series_uid_, {tok(series_uid_, "series_uid")});
        put(s, 0x00200011, "IS", "1");
        long sdate = canary_day();
        plant(s, 0x00080021, "DA", da(sdate), {date_ref(sdate, "series_date")});
        put(s, 0x00080031, "TM", "101000");
        put(s, 0x00080022, "DA", da(day_));
        put(s, 0x00080032, "TM", "101100");
        put(s, 0x00080023, "DA", da(day_));
        put(s, 0x00080033, "TM", "101200");
        plant(s, 0x0008103E, "LO", "Abd venous " + p.family + " " + p.accession,
              {tok(p.family, "patient_name"), tok(p.accession, "accession")});
        plant(s, 0x00181030, "LO", "ABD_VEN " + p.id, {tok(p.id, "patient_id")});
        std::string frame = uid();
        plant(s, 0x00200052, "UI", frame, {tok(frame, "frame_of_reference_uid")});
        plant(s, 0x00083010, "UI", event_uid, {tok(event_uid, "irradiation_event_uid")});
        equipment(s, "Canon Medical Systems", "Aquilion ONE", serial, "CTLAB02");
        put_fd(s, 0x00189345, ctdi);
        put(s, 0x00180060, "DS", "120");
        put(s, 0x00180050, "DS", "1");
        put(s, 0x00180015, "CS", "ABDOMEN");
        put(s, 0x00080008, "CS", "ORIGINAL\\PRIMARY\\AXIAL");
        must_survive("CTDIvol", ctdi, "series", "ctdivol_mgy");
        private_blocks(s, p);
        reference_chain(s, kCtStorage);
        plant_e11(s, p);
        json se;
        se["number"] = 1;
        se["series_uid"] = series_uid_;
        se["modality"] = "CT";
        se["instances"] = json::array();
        for (int i = 1; i <= 2; ++i) {
            DcmDataset ds(series_ds);
            Node inst{&ds, "", 0, ""};
            std::string sop = uid();
            plant(inst, 0x00080018, "UI", sop, {tok(sop, "sop_instance_uid")});
            put(inst, 0x00200013, "IS", std::to_string(i));
            std::string path = file_path(2, 1, i);
            save(ds, path);
            se["instances"].push_back({{"sop_uid", sop}, {"file", fs::relative(path, out_).string()}});
        }
        study["series"].push_back(se);
    }

    // Series 2: X-Ray Radiation Dose SR (TID 10011), content items nested down to depth 3.
    {
        series_no_ = 2;
        series_uid_ = uid();
        DcmDataset ds(study_ds);
        Node s{&ds, "", 0, ""};
        put(s, 0x00080060, "CS", "SR");
        put(s, 0x00080016, "UI", kDoseSr);
        plant(s, 0x0020000E, "UI", series_uid_, {tok(series_uid_, "series_uid")});
        put(s, 0x00200011, "IS", "2");
        put(s, 0x00080023, "DA", da(day_));  // the SR's acquisition time is its content time
        put(s, 0x00080033, "TM", "102000");
        plant(s, 0x0008103E, "LO", "Dose Report " + p.family, {tok(p.family, "patient_name")});
        equipment(s, "Canon Medical Systems", "Aquilion ONE", serial, "CTLAB02");
        put(s, 0x0040A491, "CS", "COMPLETE");
        put(s, 0x0040A493, "CS", "UNVERIFIED");
        put(s, 0x0040A040, "CS", "CONTAINER");
        put(s, 0x0040A050, "CS", "SEPARATE");
        auto code = [this](const Node& n, TagKey seq, const std::string& value, const std::string& scheme,
                           const std::string& meaning) {
            Node c = child(n, seq);
            put(c, 0x00080100, "SH", value);
            put(c, 0x00080102, "SH", scheme);
            put(c, 0x00080104, "LO", meaning);
        };
        code(s, 0x0040A043, "113701", "DCM", "X-Ray Radiation Dose Report");
        Node tpl = child(s, 0x0040A504);
        put(tpl, 0x00080105, "CS", "DCMR");
        put(tpl, 0x0040DB00, "CS", "10011");
        auto item = [&](const Node& parent, const char* rel, const char* vt, const std::string& c,
                        const std::string& meaning) {
            Node it = child(parent, 0x0040A730);
            put(it, 0x0040A010, "CS", rel);
            put(it, 0x0040A040, "CS", vt);
            code(it, 0x0040A043, c, c.rfind("99", 0) == 0 ? "99CNRY" : "DCM", meaning);
            return it;
        };
        auto num = [&](const Node& parent, const std::string& c, const std::string& meaning, const std::string& value,
                       const std::string& unit) {
            Node it = item(parent, "CONTAINS", "NUM", c, meaning);
            Node mv = child(it, 0x0040A300);
            put(mv, 0x0040A30A, "DS", value);
            code(mv, 0x004008EA, unit, "UCUM", unit);
            return mv.path + "NumericValue";
        };
        Node observer = item(s, "HAS OBS CONTEXT", "CODE", "121005", "Observer Type");
        code(observer, 0x0040A168, "121006", "DCM", "Person");
        auto [f1, g1] = person();
        plant(item(s, "HAS OBS CONTEXT", "PNAME", "113870", "Person Name"), 0x0040A123, "PN", f1 + "^" + g1,
              pn_refs(f1, g1, "sr_pname"));
        std::string observer_uid = uid();
        plant(item(s, "HAS OBS CONTEXT", "UIDREF", "121012", "Device Observer UID"), 0x0040A124, "UI", observer_uid,
              {tok(observer_uid, "sr_uidref")});
        put(item(s, "HAS OBS CONTEXT", "DATETIME", "113809", "Start of X-Ray Irradiation"), 0x0040A120, "DT",
            da(day_) + "101100");
        Node scope = item(s, "HAS CONCEPT MOD", "CODE", "113705", "Scope of Accumulation");
        code(scope, 0x0040A168, "113014", "DCM", "Study");
        plant(item(scope, "HAS PROPERTIES", "UIDREF", "110180", "Study Instance UID"), 0x0040A124, "UI", study_uid_,
              {tok(study_uid_, "study_uid")});

        Node acc = item(s, "CONTAINS", "CONTAINER", "113811", "CT Accumulated Dose Data");
        put(acc, 0x0040A050, "CS", "SEPARATE");
        num(acc, "113812", "Total Number of Irradiation Events", "1", "{events}");
        std::string dlp_path = num(acc, "113813", "CT Dose Length Product Total", dlp_total, "mGy.cm");
        std::string t1 = token('T');
        plant(item(acc, "CONTAINS", "TEXT", "121106", "Comment"), 0x0040A160, "UT",
              "Dose note " + t1 + " for " + p.family, {tok(t1, "sr_text"), tok(p.family, "patient_name")});

        Node ev = item(s, "CONTAINS", "CONTAINER", "113819", "CT Acquisition");
        put(ev, 0x0040A050, "CS", "SEPARATE");
        plant(item(ev, "CONTAINS", "TEXT", "125203", "Acquisition Protocol"), 0x0040A160, "UT", "ABD_VEN " + p.id,
              {tok(p.id, "patient_id")});
        plant(item(ev, "CONTAINS", "UIDREF", "113769", "Irradiation Event UID"), 0x0040A124, "UI", event_uid,
              {tok(event_uid, "irradiation_event_uid")});
        Node dose = item(ev, "CONTAINS", "CONTAINER", "113829", "CT Dose");
        put(dose, 0x0040A050, "CS", "SEPARATE");
        std::ostringstream ctdi_text;
        ctdi_text << ctdi;
        num(dose, "113830", "Mean CTDIvol", ctdi_text.str(), "mGy");
        std::string t2 = token('T');
        plant(item(dose, "CONTAINS", "TEXT", "121106", "Comment"), 0x0040A160, "UT", "Operator note " + t2,
              {tok(t2, "sr_text")});
        auto [f2, g2] = person();
        plant(item(dose, "CONTAINS", "PNAME", "113870", "Person Name"), 0x0040A123, "PN", f2 + "^" + g2,
              pn_refs(f2, g2, "sr_pname"));
        long d = canary_day();
        plant(item(dose, "CONTAINS", "DATE", "99CNRY1", "Canary date"), 0x0040A121, "DA", da(d),
              {date_ref(d, "sr_date")});
        std::string t3 = token('T');
        plant(item(s, "CONTAINS", "TEXT", "121106", "Comment"), 0x0040A160, "UT",
              "Patient " + p.name + " (" + p.id + ", " + p.accession + ") " + t3,
              {tok(p.family, "patient_name"), tok(p.given, "patient_name"), tok(p.id, "patient_id"),
               tok(p.accession, "accession"), tok(t3, "sr_text")});
        private_blocks(s, p);
        std::string sop = uid();
        plant(s, 0x00080018, "UI", sop, {tok(sop, "sop_instance_uid")});
        put(s, 0x00200013, "IS", "1");
        // SR content is kept under clean-structured-content, with its free text removed.
        if (treatment(s, 0x0040A730, "SQ") == "keep")
            must_survive("CT Dose Length Product Total", std::stod(dlp_total), "series", "", dlp_path);
        std::string path = file_path(2, 2, 1);
        save(ds, path);
        json se;
        se["number"] = 2;
        se["series_uid"] = series_uid_;
        se["modality"] = "SR";
        se["instances"] = json::array({{{"sop_uid", sop}, {"file", fs::relative(path, out_).string()}}});
        study["series"].push_back(se);
    }
    studies_.push_back(study);
}

json Generator::report() const {
    json r;
    r["generator"] = "dicomlake-canarygen";
    r["seed"] = seed_;
    r["options"] = options_.to_string();
    r["e11_edition"] = deid::kE11Edition;
    r["date"] = iso(day_);
    r["uid_root"] = uid_root_;
    r["format"] = {{"canaries",
                    "unique values that must appear nowhere (warehouse, logs), nor their unkeyed MD5/SHA-1/SHA-256 "
                    "hex; value plus other spellings in forms (DA: YYYYMMDD and YYYY-MM-DD; DT: the whole value, "
                    "ISO date-time, ISO date and YYYYMMDD; PN: whole, family, given as separate canaries)"},
                   {"where",
                    "every place the canary was planted: study (mr, ct), series number (0: every series of the study), "
                    "tag, keyword path as dicomlake names it, sequence depth, the Table E.1-1 rule, what the profile "
                    "must do (treatment), and the enclosing sequence the profile removes, if any"},
                   {"study_day",
                    "the real StudyDate / acquisition day: may appear in the run window and activity_day, "
                    "not in the tables listed"},
                   {"must_survive",
                    "analytic values and where dicomlake stores them (table, column or attributes path), by "
                    "study_uid / series_uid (pseudonymize with the key to find the row)"},
                   {"e11", "Table E.1-1 rows planted (once per image series) and rows skipped with the reason"}};
    r["studies"] = studies_;
    r["files"] = files_;

    json canaries = json::array();
    json not_canaries = json::array();
    for (const auto& c : canaries_) {
        auto kept = kept_values_.find(c["value"].get<std::string>());
        if (kept != kept_values_.end()) {
            json n = c;
            n["reason"] = "also planted where the profile keeps it";
            n["kept_at"] = kept->second;
            not_canaries.push_back(n);
        } else {
            canaries.push_back(c);
        }
    }
    if (!options_.has(deid::ProfileOption::retain_uids)) {
        json root;
        root["value"] = kUidRoot;
        root["forms"] = json::array();
        root["kind"] = "uid_root";
        root["where"] = json::array({{{"note", "every UID of the generated studies (SOP classes excepted)"}}});
        canaries.push_back(root);
    }
    r["canaries"] = canaries;
    r["not_canaries"] = not_canaries;

    // The study day is a real date: StudyDate, the acquisition times, the SR's content date.
    // It is the backfill window (ledger, logs) and the utilization aggregates count it in
    // activity_day (no patient or study key); in the patient-linked tables only the
    // shifted date may appear.
    json window;
    window["value"] = da(day_);
    window["forms"] = json::array({iso(day_)});
    window["kind"] = "study_day";
    window["forbidden_in_tables"] = options_.has(deid::ProfileOption::retain_long_full_dates)
                                        ? json::array()  // dates are kept as they are
                                        : json::array({"dicomlake.study", "dicomlake.series"});
    window["where"] = json::array({"StudyDate", "AcquisitionDate", "AcquisitionDateTime", "ContentDate (CT, SR)",
                                   "ContentSequence[3].DateTime (SR)"});
    window["reason"] =
        "the backfill window, and real acquisition days counted on purpose in dicomlake.activity_day";
    r["study_day"] = window;
    r["must_survive"] = must_survive_;

    json e11;
    e11["rows"] = deid::kE11RowCount;
    e11["planted"] = e11_planted_;
    e11["skipped"] = e11_skipped_;
    r["e11"] = e11;

    std::map<std::string, int> by_kind, by_depth, by_treatment;
    std::size_t places = 0;
    for (const auto& c : canaries) {
        by_kind[c["kind"].get<std::string>()]++;
        std::set<int> depths;
        for (const auto& w : c["where"]) {
            ++places;
            if (w.contains("depth")) depths.insert(w["depth"].get<int>());
            if (w.contains("treatment")) by_treatment[w["treatment"].get<std::string>()]++;
        }
        for (int d : depths) by_depth[std::to_string(d)]++;
    }
    json counts;
    counts["canaries"] = canaries.size();
    counts["places"] = places;
    counts["e11_rows_planted"] = e11_planted_.size();
    counts["e11_rows_skipped"] = e11_skipped_.size();
    counts["by_kind"] = by_kind;
    counts["canaries_by_depth"] = by_depth;
    counts["places_by_treatment"] = by_treatment;
    r["counts"] = counts;
    return r;
}

void prepare_output(const fs::path& out) {
    const fs::path dicom = out / "dicom";
    if (fs::exists(dicom) && !fs::is_empty(dicom)) {
        if (!fs::exists(out / "canaries.json"))
            throw std::runtime_error(dicom.string() +
                                     " exists and is not empty (and there is no canaries.json next to it)");
        fs::remove_all(dicom);
    }
    fs::create_directories(dicom);
}

}  // namespace

int main(int argc, char** argv) {
    std::string out, options_list, date = "2025-10-06";
    std::uint32_t seed = 1;
    CLI::App app{
        "dicomlake-canarygen: DICOM studies with a canary in every attribute the de-identification "
        "profile must remove, replace or clean, plus canaries.json"};
    app.add_option("--out", out, "output directory (DIR/dicom/..., DIR/canaries.json)")->required();
    app.add_option("--seed", seed, "seed (0 .. 2^32-1); same arguments => same output")->capture_default_str();
    auto* opt = app.add_option("--options", options_list,
                               "de-identification options as for dicomlake (comma-separated); default: "
                               "dicomlake's default profile");
    app.add_option("--date", date, "StudyDate of every study, YYYY-MM-DD")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        if (!dcmDataDict.isDictionaryLoaded()) throw std::runtime_error("the DCMTK data dictionary is not loaded");
        auto day = parse_iso(date);
        if (!day) throw std::runtime_error("--date must be a valid YYYY-MM-DD date: " + date);
        deid::ProfileOptions options =
            opt->count() > 0 ? deid::ProfileOptions::parse(options_list) : deid::ProfileOptions::defaults();
        const fs::path dir(out);
        prepare_output(dir);
        Generator gen(seed, options, *day, dir);
        gen.run();
        json report = gen.report();
        std::ofstream f(dir / "canaries.json", std::ios::binary | std::ios::trunc);
        f << report.dump(2) << "\n";
        f.close();
        if (!f) throw std::runtime_error("cannot write " + (dir / "canaries.json").string());
        std::cout << "dicomlake-canarygen: " << report["files"].size() << " files, "
                  << report["counts"]["canaries"].get<std::size_t>() << " canaries at "
                  << report["counts"]["places"].get<std::size_t>() << " places ("
                  << report["counts"]["e11_rows_planted"].get<std::size_t>() << " Table E.1-1 rows), "
                  << report["must_survive"].size() << " values that must survive -> " << out << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "dicomlake-canarygen: " << e.what() << "\n";
        return 1;
    }
}
