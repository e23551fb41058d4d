#include "model/dictionary.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcdicent.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace dicomlake::model {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string lookup_keyword(TagKey t);

// Keyword and VR of a tag, looked up once.
struct Entry {
    std::string keyword;
    std::string vr;
};

Entry lookup_entry(TagKey t) {
    Entry out;
    out.keyword = lookup_keyword(t);
    if (is_private(t)) return out;
    const DcmDataDictionary& dict = dcmDataDict.rdlock();
    const DcmDictEntry* e = dict.findEntry(DcmTagKey(tag_group(t), tag_element(t)), nullptr);
    if (e != nullptr) out.vr = DcmVR(e->getVR()).getValidVRName();
    dcmDataDict.rdunlock();
    // Only the 2-letter VRs of PS3.5 count; DCMTK's internal pseudo-VRs mean "not known".
    if (out.vr.size() != 2 || out.vr[0] < 'A' || out.vr[0] > 'Z' || out.vr[1] < 'A' || out.vr[1] > 'Z')
        out.vr.clear();
    return out;
}

// How risky a VR's values are to keep (see value_vr): higher wins a disagreement.
int vr_rank(std::string_view vr) {
    if (vr == "PN") return 6;
    if (vr == "UI") return 5;
    if (vr == "DA" || vr == "DT") return 4;
    if (vr == "LO" || vr == "SH" || vr == "ST" || vr == "LT" || vr == "UT" || vr == "UC" || vr == "UR" ||
        vr == "AE")
        return 3;
    if (vr == "TM") return 2;
    if (vr == "OB" || vr == "OW" || vr == "OF" || vr == "OD" || vr == "OL" || vr == "OV" || vr == "UN") return 0;
    return 1;  // CS, AS, AT and the numeric VRs
}

std::string lookup_keyword(TagKey t) {
    if (is_private(t)) return tag_hex(t);
    std::string name;
    const DcmDataDictionary& dict = dcmDataDict.rdlock();
    const DcmDictEntry* e = dict.findEntry(DcmTagKey(tag_group(t), tag_element(t)), nullptr);
    if (e != nullptr && e->getTagName() != nullptr) name = e->getTagName();
    dcmDataDict.rdunlock();
    if (name.empty() || name.rfind("Unknown", 0) == 0) return tag_hex(t);
    // DCMTK prefixes retired elements ("RETIRED_OtherPatientIDs"); PS3.6 keeps the keyword.
    if (name.rfind("RETIRED_", 0) == 0) name.erase(0, 8);
    return name;
}

struct Cache {
    std::shared_mutex mutex;
    // Values are heap nodes, so references handed out stay valid while the map grows.
    std::unordered_map<TagKey, std::unique_ptr<Entry>> entries;
};

Cache& cache() {
    static Cache c;
    return c;
}

}  // namespace

bool parse_tag(std::string_view hex, TagKey& out) {
    if (hex.size() != 8) return false;
    TagKey v = 0;
    for (char c : hex) {
        int d = hex_digit(c);
        if (d < 0) return false;
        v = (v << 4) | static_cast<TagKey>(d);
    }
    out = v;
    return true;
}

std::string tag_hex(TagKey t) {
    static const char* digits = "0123456789ABCDEF";
    std::string s(8, '0');
    for (int i = 7; i >= 0; --i) {
        s[static_cast<size_t>(i)] = digits[t & 0xF];
        t >>= 4;
    }
    return s;
}

namespace {

// Bound on each thread's copy (tags differ mostly by private ones; a hostile sender could send
// many): beyond it, lookups go to the shared cache.
constexpr size_t kThreadCacheEntries = 16384;

const Entry& shared_entry_for(TagKey t);

// Each thread first asks its own copy of the cached pointers: the shared cache's lock, taken
// twice per attribute by every worker, was a measurable share of the walk.
const Entry& entry_for(TagKey t) {
    thread_local std::unordered_map<TagKey, const Entry*> mine;
    if (auto it = mine.find(t); it != mine.end()) return *it->second;
    const Entry& e = shared_entry_for(t);
    if (mine.size() < kThreadCacheEntries) mine.emplace(t, &e);
    return e;
}

const Entry& shared_entry_for(TagKey t) {
    Cache& c = cache();
    {
        std::shared_lock lock(c.mutex);
        auto it = c.entries.find(t);
        if (it != c.entries.end()) return *it->second;
    }
    auto entry = std::make_unique<Entry>(lookup_entry(t));
    std::unique_lock lock(c.mutex);
    auto [it, inserted] = c.entries.emplace(t, std::move(entry));
    return *it->second;
}

}  // namespace

const std::string& keyword_for(TagKey t) { return entry_for(t).keyword; }

const std::string& dictionary_vr(TagKey t) { return entry_for(t).vr; }

namespace {

// Keyword -> tag of the dictionary's non-repeating entries, built once: DCMTK finds an entry by
// name with a scan of the whole dictionary, which made start-up parse the rule lists slowly.
const std::unordered_map<std::string, TagKey>& keyword_tags() {
    static const std::unordered_map<std::string, TagKey> table = [] {
        std::unordered_map<std::string, TagKey> t;
        DcmDataDictionary& dict = dcmDataDict.wrlock();  // the iterators are not const
        for (auto it = dict.normalBegin(); it != dict.normalEnd(); ++it) {
            const DcmDictEntry* e = *it;
            if (e == nullptr || e->isRepeating() || e->getTagName() == nullptr) continue;
            const TagKey tag = (TagKey(e->getGroup()) << 16) | e->getElement();
            // Vendors' private entries reuse public names (GE's NumberOfAverages): public only.
            if (!is_private(tag)) t.emplace(e->getTagName(), tag);
        }
        dcmDataDict.wrunlock();
        return t;
    }();
    return table;
}

}  // namespace

TagKey tag_for_keyword(std::string_view keyword) {
    if (keyword.empty()) return 0;
    const auto& table = keyword_tags();
    auto it = table.find(std::string(keyword));
    if (it == table.end()) it = table.find("RETIRED_" + std::string(keyword));
    return it == table.end() ? 0 : it->second;
}

std::string_view value_vr(std::string_view dictionary, std::string_view sender_vr) {
    if (dictionary.empty() || dictionary == sender_vr) return sender_vr;
    if (vr_rank(sender_vr) == 0) return sender_vr;  // sent as bytes: not read, not stored
    if (dictionary == "SQ" || sender_vr == "SQ") return {};
    return vr_rank(sender_vr) > vr_rank(dictionary) ? sender_vr : dictionary;
}

std::string_view value_vr(TagKey t, std::string_view sender_vr) { return value_vr(dictionary_vr(t), sender_vr); }

}  // namespace dicomlake::model
