#include "model/walk.hpp"

#include <algorithm>

#include "model/walk_values.hpp"

namespace dicomlake::model {

namespace {

constexpr TagKey kPerFrameFunctionalGroups = 0x52009230;
// What per-frame items beyond the first still contribute: the acquisition-time summary.
constexpr TagKey kFrameAcquisitionDateTime = 0x00189074;
constexpr TagKey kFrameReferenceDateTime = 0x00189151;
constexpr TagKey kFrameAcquisitionDuration = 0x00189220;

// Identity values are bounded: a hostile sender cannot make cleaning quadratic.
constexpr size_t kMaxIdentityValues = 64;

bool is_text_vr(std::string_view vr) {
    return vr == "LO" || vr == "SH" || vr == "UT" || vr == "UC" || vr == "ST" || vr == "LT" || vr == "PN";
}

// The VR the walk rules an element by; "" when it must not be stored (value_vr).
std::string_view ruling_vr(DatasetReader& r, TagKey tag) {
    std::string_view dict = dictionary_vr(tag);
    std::string_view sent = r.sent_vr();
    if (sent.empty()) return dict.empty() ? std::string_view("UN") : dict;
    if (sent.size() != 2) throw MalformedJson("an attribute has a VR that is not two letters");
    return value_vr(dict, sent);
}

class Walker {
public:
    Walker(const AttributeFilter& f, const WalkOptions& o, Instance& out)
        : filter_(f), options_(o), identity_tags_(f.identity_tags()), instance_(out) {}

    void walk(DatasetReader& r) {
        reset_instance();
        if (!identity_tags_.empty()) {
            read_identity(r);
            r.rewind();
        }
        filter_.check_instance(identity_);
        walk_dataset(r, false);
        instance_.attributes.resize(used_);  // slots beyond this instance's attributes go
        AttributeContext ctx{parents_, {}, &identity_};
        filter_.finish_instance(instance_, ctx);
    }

private:
    // A fresh Instance but for the attribute slots, whose strings keep their memory for this walk.
    void reset_instance() {
        Instance fresh;
        fresh.attributes = std::move(instance_.attributes);
        instance_ = std::move(fresh);
        used_ = 0;
    }

    // The next attribute slot: an earlier instance's, reset, or a new one.
    Attribute& next_slot() {
        if (used_ == instance_.attributes.size()) instance_.attributes.emplace_back();
        Attribute& a = instance_.attributes[used_++];
        a.path.clear();
        a.json.clear();
        a.text.clear();
        a.number = std::numeric_limits<double>::quiet_NaN();
        return a;
    }

    // The values the filter asked for, in one forward pass before the walk.
    void read_identity(DatasetReader& r) {
        while (r.next()) {
            TagKey t = r.tag();
            if (std::find(identity_tags_.begin(), identity_tags_.end(), t) == identity_tags_.end()) continue;
            if (std::any_of(identity_.begin(), identity_.end(), [t](const auto& i) { return i.first == t; }))
                continue;  // a tag twice: the first one counts
            if (dictionary_vr(t) == "SQ")
                read_identity_items(r, t);
            else
                read_identity_values(r, t);
        }
    }

    void read_identity_values(DatasetReader& r, TagKey key) {
        size_t n = 0;
        r.values([&](const RawValue& v) {
            if (++n > kMaxIdentityValues) return;
            if (v.kind == RawValue::Kind::text || v.kind == RawValue::Kind::number ||
                v.kind == RawValue::Kind::person_name)
                identity_.emplace_back(key, detail::identity_text(v));
        });
    }

    // The text values (names, IDs, issuers) of a sequence's items, one level down, kept under
    // the sequence's tag: OtherPatientIDsSequence, IssuerOfAccessionNumberSequence...
    void read_identity_items(DatasetReader& r, TagKey key) {
        size_t n = 0;
        r.items([&](DatasetReader* item) {
            if (++n > kMaxIdentityValues || item == nullptr) return;
            while (item->next()) {
                TagKey tag = item->tag();
                if (is_text_vr(ruling_vr(*item, tag))) read_identity_values(*item, key);
            }
        });
    }

    void walk_dataset(DatasetReader& r, bool summary_only) {
        // Private creators of this dataset, by (group << 8 | block): a private attribute's
        // rules depend on who defined it.
        std::vector<std::pair<std::uint32_t, std::string>> creators;
        while (r.next()) {
            TagKey tag = r.tag();
            // Group lengths (gggg,0000) describe an encoding, not the object: a dataset keeps
            // them where DICOM JSON has none.
            if (tag_element(tag) == 0) continue;
            std::string_view vr = ruling_vr(r, tag);
            if (vr.empty()) continue;  // a sequence where the dictionary says a value, or the reverse
            if (summary_only && tag != kFrameAcquisitionDateTime && tag != kFrameReferenceDateTime &&
                tag != kFrameAcquisitionDuration && vr != "SQ")
                continue;
            if (detail::is_binary_vr(vr)) continue;  // bulk data: never read, never stored
            std::string_view creator;
            if (is_private(tag)) {
                std::uint16_t element = tag_element(tag);
                if (element >= 0x0010 && element <= 0x00FF) {  // a private creator element
                    creators.emplace_back((std::uint32_t(tag_group(tag)) << 8) | element, first_text(r));
                    creator = creators.back().second;
                } else {
                    std::uint32_t block = (std::uint32_t(tag_group(tag)) << 8) | (element >> 8);
                    for (const auto& [k, name] : creators)
                        if (k == block) creator = name;
                }
            }
            AttributeContext ctx{parents_, creator, &identity_};
            auto action = filter_.decide(tag, vr, ctx);
            if (action == AttributeFilter::Action::drop) continue;
            if (vr == "SQ")
                walk_sequence(r, tag, summary_only);
            else
                emit(r, tag, vr, action, summary_only, ctx);
        }
    }

    void walk_sequence(DatasetReader& r, TagKey tag, bool summary_only) {
        // The path grows and is cut back in place: one copy per level would make deep nesting
        // quadratic.
        const size_t saved = prefix_.size();
        const std::string& kw = keyword_for(tag);
        parents_.push_back(tag);
        size_t index = 0;
        r.items([&](DatasetReader* item) {
            // Checked before going down: the recursion (and the path) stays bounded whatever
            // the sender nests.
            if (static_cast<int>(parents_.size()) > options_.max_depth)
                throw LimitExceeded("an attribute is nested more than " + std::to_string(options_.max_depth) +
                                    " sequences deep (limits.max_depth; raise it only if real data is this deep)");
            bool item_summary =
                summary_only || (options_.collapse_per_frame && tag == kPerFrameFunctionalGroups && index > 0);
            prefix_.resize(saved);
            prefix_ += kw;
            prefix_ += '[';
            prefix_ += std::to_string(index++);
            prefix_ += "].";
            if (item != nullptr) walk_dataset(*item, item_summary);
        });
        parents_.pop_back();
        prefix_.resize(saved);
    }

    static std::string first_text(DatasetReader& r) {
        std::string first;
        bool seen = false;
        r.values([&](const RawValue& v) {
            if (!seen && v.kind == RawValue::Kind::text) first = std::string(detail::trim_padding(v.text));
            seen = true;
        });
        return first;
    }

    void emit(DatasetReader& r, TagKey tag, std::string_view vr, AttributeFilter::Action action, bool summary_only,
              const AttributeContext& ctx) {
        if (static_cast<long>(used_) >= options_.max_attributes)
            throw LimitExceeded("an instance has more than " + std::to_string(options_.max_attributes) +
                                " attributes (limits.max_attributes; raise it only if real data is this large)");
        Attribute& a = next_slot();
        a.path += prefix_;
        a.path += keyword_for(tag);
        a.tag = tag;
        a.vr[0] = vr[0];
        a.vr[1] = vr[1];
        a.depth = static_cast<int>(parents_.size());
        a.summary_only = summary_only;
        // Values are written straight into the slot's JSON; several get the brackets around them.
        size_t count = 0;
        r.values([&](const RawValue& v) {
            if (count == 1) a.json.insert(a.json.begin(), '[');
            if (count > 0) a.json += ',';
            detail::append_value(a, a.json, v, vr, action, count == 0, filter_, ctx);
            ++count;
        });
        if (count == 0)
            a.json = "null";
        else if (count > 1)
            a.json += ']';
    }

    const AttributeFilter& filter_;
    const WalkOptions& options_;
    std::vector<TagKey> identity_tags_;
    std::vector<TagKey> parents_;
    std::string prefix_;
    Instance& instance_;
    size_t used_ = 0;  // attribute slots of instance_ this walk has written
    InstanceIdentity identity_;
};

}  // namespace

Instance walk_instance(DatasetReader& dataset, const AttributeFilter& filter, const WalkOptions& options) {
    Instance out;
    walk_instance(dataset, filter, options, out);
    return out;
}

void walk_instance(DatasetReader& dataset, const AttributeFilter& filter, const WalkOptions& options, Instance& out) {
    Walker(filter, options, out).walk(dataset);
}

std::string_view AttributeContext::identity_value(TagKey tag) const {
    if (identity != nullptr)
        for (const auto& [t, v] : *identity)
            if (t == tag) return v;
    return {};
}

const Attribute* Instance::find(std::string_view path) const {
    for (const auto& a : attributes)
        if (a.path == path) return &a;
    return nullptr;
}

}  // namespace dicomlake::model
