// dicomlake-leakoracle: the generator's state and helpers (see main.cpp).
#pragma once

#include <dcmtk/dcmdata/dcjson.h>
#include <dcmtk/dcmdata/dctk.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace leakoracle {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;


inline constexpr const char* kUidRoot = "1.2.826.0.1.3680043.10.8888.";
inline constexpr const char* kMr = "1.2.840.10008.5.1.4.1.1.4";
inline constexpr const char* kCt = "1.2.840.10008.5.1.4.1.1.2";

// ---- calendar (days since 1970-01-01, proleptic Gregorian) ----
inline long days_from_civil(long y, long m, long d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}
inline std::string iso(long z) {
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const long doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long mp = (5 * doy + 2) / 153;
    const long d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
    char b[64];
    std::snprintf(b, sizeof b, "%04ld-%02ld-%02ld", yoe + era * 400 + (m <= 2), m, d);
    return b;
}
inline std::string da(long z) {
    std::string s = iso(z);
    return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
}

inline std::string ascii_case(std::string s, bool upper) {
    for (char& c : s)
        if (upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z')) c = static_cast<char>(c ^ 0x20);
    return s;
}

inline std::uint32_t tag_of(const std::string& hex) { return static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16)); }
inline std::string tag_text(std::uint32_t t) {
    char b[16];
    std::snprintf(b, sizeof b, "(%04X,%04X)", t >> 16, t & 0xFFFF);
    return b;
}
inline std::string keyword(std::uint32_t t) {
    DcmTag tag(static_cast<Uint16>(t >> 16), static_cast<Uint16>(t & 0xFFFF));
    std::string name = tag.getTagName();
    return name.find(' ') != std::string::npos || name.empty() ? tag_text(t) : name;
}

// One value that must not appear, in all its spellings, and the attack case it belongs to.
struct Canary {
    std::string value;
    std::vector<std::string> forms;
    std::string attack;
};
inline Canary latin(const std::string& v, const std::string& attack) {
    std::vector<std::string> forms;
    for (bool up : {false, true})
        if (ascii_case(v, up) != v) forms.push_back(ascii_case(v, up));
    return {v, forms, attack};
}
inline Canary date_canary(long day, const std::string& attack) { return {da(day), {iso(day)}, attack}; }

// A place in a data set being written.
struct Node {
    DcmItem* item;
    std::string path;  // "" or "PerformedProtocolCodeSequence[0]."
    int depth;
};

struct Person {
    std::string family, given;
    std::string pn() const { return family + "^" + given; }
};

class Oracle {
public:
    Oracle(std::uint32_t seed, long day, fs::path out) : seed_(seed), day_(day), out_(std::move(out)) {
        n_ = 100000 + static_cast<long>(seed % 800) * 1000;
        uid_root_ = std::string(kUidRoot) + std::to_string(seed) + ".";
    }
    void load_list(const std::string& path);
    void run();
    json manifest() const;

private:
    // ---- fresh values ----
    std::string token(char kind) {
        char b[24];
        std::snprintf(b, sizeof b, "ORC%06ld%c", n_++, kind);
        return b;
    }
    Person person() {
        long n = n_++;
        return {"ORCF" + std::to_string(n), "ORCG" + std::to_string(n)};
    }
    std::string uid() { return uid_root_ + std::to_string(uid_n_++); }
    // Dates planted in listed attributes: 1800-01-01 + (m mod 7) + 3647 * (m div 7). Two on the
    // same weekday lie 3647 days apart, so no shift by whole weeks within ten years lands one on
    // another; all lie long before the real study day and its neighbours.
    long list_day() {
        long m = date_m_++;
        return days_from_civil(1800, 1, 1) + (m % 7) + 3647 * (m / 7);
    }
    // A short suffix in the given alphabet (10 letters), unique per seed and study.
    std::string suffix(const std::vector<std::string>& letters) {
        std::string s;
        for (long v = n_++ % 1000, i = 0; i < 3; ++i, v /= 10) s += letters[static_cast<size_t>(v % 10)];
        return s;
    }

    // ---- writing ----
    void put(const Node& n, std::uint32_t tag, const std::string& vr, const std::string& value) {
        DcmTag t(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xFFFF), DcmVR(vr.c_str()));
        OFCondition c;
        if (vr == "UN") {  // DcmItem refuses UN: build the element by hand
            auto* e = new DcmOtherByteOtherWord(t);
            c = e->putUint8Array(reinterpret_cast<const Uint8*>(value.data()), static_cast<unsigned long>(value.size()));
            if (c.good()) c = n.item->insert(e, OFTrue);
            else delete e;
        } else
            c = n.item->putAndInsertString(t, value.data(), static_cast<Uint32>(value.size()));
        if (c.bad()) throw std::runtime_error("DCMTK cannot set " + tag_text(tag) + " as " + vr + ": " + c.text());
    }
    Node child(const Node& parent, std::uint32_t seq) {
        DcmTagKey key(static_cast<Uint16>(seq >> 16), static_cast<Uint16>(seq & 0xFFFF));
        DcmSequenceOfItems* sq = nullptr;
        if (parent.item->findAndGetSequence(key, sq).bad() || sq == nullptr) {
            sq = new DcmSequenceOfItems(DcmTag(key, EVR_SQ));
            parent.item->insert(sq, OFTrue);
        }
        auto* item = new DcmItem();
        sq->append(item);
        return {item, parent.path + keyword(seq) + "[" + std::to_string(sq->card() - 1) + "].", parent.depth + 1};
    }
    void code(const Node& n, std::uint32_t seq, const std::string& value, const std::string& meaning) {
        Node c = child(n, seq);
        put(c, 0x00080100, "SH", value);
        put(c, 0x00080102, "SH", "99ORC");
        put(c, 0x00080104, "LO", meaning);
    }
    // Writes `value` and records each canary it carries at this place.
    void plant(const Node& n, std::uint32_t tag, const std::string& vr, const std::string& value,
               const std::vector<Canary>& carried, const std::string& note = {}) {
        put(n, tag, vr, value);
        json w = {{"study", study_}, {"tag", tag_text(tag)}, {"vr", vr}, {"path", n.path + keyword(tag)},
                  {"depth", n.depth}};
        if (!note.empty()) w["note"] = note;
        for (const auto& c : carried) record(c, w);
    }
    void record(const Canary& c, const json& w) {
        auto it = index_.find(c.value);
        if (it == index_.end()) {
            it = index_.emplace(c.value, canaries_.size()).first;
            canaries_.push_back({{"value", c.value}, {"forms", c.forms}, {"attack", c.attack}, {"where", json::array()}});
        }
        // A patient's identifier first planted by the patient module belongs to the attack
        // case that plants it again (one patient per attack study).
        json& e = canaries_[it->second];
        if (e["attack"] == "patient" && c.attack != "patient") e["attack"] = c.attack;
        json placed = w;
        placed["attack"] = c.attack;
        e["where"].push_back(placed);
    }
    void must_survive(const std::string& name, const std::string& table, const std::string& column, const json& value,
                      const std::string& match = "equals") {
        json m = {{"name", name}, {"study_uid", study_uid_}, {"table", table}, {"column", column},
                  {"value", value}, {"match", match}};
        if (table == "series") m["series_uid"] = series_uid_;
        survive_.push_back(m);
    }

    // The patient module and the study's identifiers at depth 0.
    void patient(const Node& top, const Person& p, const std::string& pn_value, const std::string& attack);
    void study_header(const Node& top, const std::string& description);
    void series_header(const Node& s, const char* modality, const char* sop_class, int number);
    void mr_physics(const Node& s, const char* nex, const char* tr, const char* te);
    void ct_physics(const Node& s, double ctdi);
    void plant_list(const Node& s, const Person& p);
    void nested_list(const Node& s, const Person& p);
    void unlisted_text(const Node& s, const Person& p);
    void other_ids(const Node& top);
    void wrong_vr_dates(const Node& s);
    void split_values(const Node& s, const Person& p, const Person& ideo);
    void unknown_tags(const Node& s, const Person& p);
    void save(DcmDataset& ds, int series, int instance);
    void begin_study(const std::string& name);
    void end_study(const std::string& name, const std::string& modality);

    void list_study();
    void attack_study(const std::string& name);
    void script_study(const std::string& name);
    void no_patient_id_study();

    std::uint32_t seed_;
    long day_;
    fs::path out_;
    long n_ = 0, uid_n_ = 1, date_m_ = 0;
    std::string uid_root_;
    struct Row {
        std::uint32_t tag;
        std::string keyword, vr, basic, action, why;
    };
    std::vector<Row> list_;
    std::string study_, study_uid_, series_uid_, pid_, accession_;
    int study_no_ = 0;
    std::vector<std::string> instances_json_;
    json series_ = json::array();
    json studies_ = json::array();
    json canaries_ = json::array();
    std::map<std::string, size_t> index_;
    json survive_ = json::array();
    json wrong_vr_ = json::array();
    json skipped_ = json::array();
    size_t list_planted_ = 0;
};

}  // namespace leakoracle
