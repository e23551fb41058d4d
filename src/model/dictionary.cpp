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
    std::unordered_map<TagKey, std::unique_ptr<std::string>> names;
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

const std::string& keyword_for(TagKey t) {
    Cache& c = cache();
    {
        std::shared_lock lock(c.mutex);
        auto it = c.names.find(t);
        if (it != c.names.end()) return *it->second;
    }
    auto name = std::make_unique<std::string>(lookup_keyword(t));
    std::unique_lock lock(c.mutex);
    auto [it, inserted] = c.names.emplace(t, std::move(name));
    return *it->second;
}

std::string dictionary_vr(TagKey t) {
    if (is_private(t)) return {};
    std::string vr;
    const DcmDataDictionary& dict = dcmDataDict.rdlock();
    const DcmDictEntry* e = dict.findEntry(DcmTagKey(tag_group(t), tag_element(t)), nullptr);
    if (e != nullptr) vr = DcmVR(e->getVR()).getValidVRName();
    dcmDataDict.rdunlock();
    return vr;
}

}  // namespace dicomlake::model
