#include "model/dicom_json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "util/number.hpp"

namespace dicomlake::model {

namespace od = simdjson::ondemand;

namespace {

constexpr TagKey kPerFrameFunctionalGroups = 0x52009230;
// What per-frame items beyond the first still contribute: the acquisition-time summary.
constexpr TagKey kFrameAcquisitionDateTime = 0x00189074;
constexpr TagKey kFrameReferenceDateTime = 0x00189151;
constexpr TagKey kFrameAcquisitionDuration = 0x00189220;

bool is_numeric_vr(std::string_view vr) {
    return vr == "DS" || vr == "IS" || vr == "FL" || vr == "FD" || vr == "SL" || vr == "SS" ||
           vr == "UL" || vr == "US" || vr == "SV" || vr == "UV";
}

bool is_binary_vr(std::string_view vr) {
    return vr == "OB" || vr == "OW" || vr == "OF" || vr == "OD" || vr == "OL" || vr == "OV" || vr == "UN";
}

void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    append_number_text(out, v);
}

bool parse_number(std::string_view s, double& out) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '+')) s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) return false;
    auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    return res.ec == std::errc() && res.ptr == s.data() + s.size() && std::isfinite(out);
}

bool all_digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

struct Walker {
    Walker(const AttributeFilter& f, const WalkOptions& o) : filter(f), options(o), identity_tags(f.identity_tags()) {}
    const AttributeFilter& filter;
    const WalkOptions& options;
    std::vector<TagKey> parents;
    std::string prefix;
    Instance instance;
    std::vector<TagKey> identity_tags;
    InstanceIdentity identity;

    // One instance: read the identity values the filter asked for, then walk it once.
    void walk_instance(od::object obj) {
        instance = Instance{};
        identity.clear();
        if (!identity_tags.empty()) {
            // One forward pass over the fields, not one find_field_unordered per tag: simdjson's
            // search wraps around to the object's start assuming it is well formed, which a
            // malformed body breaks (undefined behaviour in simdjson 3.0).
            for (auto field : obj) {
                TagKey t = 0;
                if (!parse_tag(field.unescaped_key(), t)) continue;  // the walk reports it
                if (std::find(identity_tags.begin(), identity_tags.end(), t) == identity_tags.end()) continue;
                if (std::any_of(identity.begin(), identity.end(), [t](const auto& i) { return i.first == t; }))
                    continue;  // a tag twice: the first one counts
                od::object attr = field.value().get_object();
                if (dictionary_vr(t) == "SQ")
                    read_identity_items(attr, t);
                else
                    read_identity_values(attr, t);
            }
            obj.reset();
        }
        filter.check_instance(identity);
        walk_dataset(obj, false);
        AttributeContext ctx{parents, {}, &identity};
        filter.finish_instance(instance, ctx);
    }

    // Identity values are bounded: a hostile body cannot make cleaning quadratic.
    static constexpr size_t kMaxIdentityValues = 64;

    // Every value of an identity attribute, as text (PN: its groups joined by '=', as in DICOM).
    void read_identity_values(od::object& attr, TagKey key) {
        auto value = attr.find_field_unordered("Value");
        if (value.error() == simdjson::NO_SUCH_FIELD) return;
        size_t n = 0;
        for (auto v : value.get_array()) {
            if (++n > kMaxIdentityValues) break;
            od::value one = v.value();
            od::json_type type = one.type();
            if (type == od::json_type::string)
                identity.emplace_back(key, std::string(std::string_view(one.get_string())));
            else if (type == od::json_type::object)
                identity.emplace_back(key, person_name_groups(one.get_object()));
            else if (type == od::json_type::number)
                identity.emplace_back(key, std::string(one.raw_json_token()));
        }
    }

    // The text values (names, IDs, issuers) of a sequence's items, one level down, kept under
    // the sequence's tag: OtherPatientIDsSequence, IssuerOfAccessionNumberSequence...
    void read_identity_items(od::object& attr, TagKey key) {
        auto value = attr.find_field_unordered("Value");
        if (value.error() == simdjson::NO_SUCH_FIELD) return;
        size_t n = 0;
        for (auto item : value.get_array()) {
            if (++n > kMaxIdentityValues) break;
            if (item.type() != od::json_type::object) continue;
            for (auto field : item.get_object()) {
                TagKey tag = 0;
                if (!parse_tag(field.unescaped_key(), tag)) continue;
                od::object inner = field.value().get_object();
                std::string_view vr = dictionary_vr(tag);
                if (auto sent = inner.find_field_unordered("vr"); sent.error() == simdjson::SUCCESS)
                    vr = value_vr(vr, std::string_view(sent.get_string()));
                if (vr == "LO" || vr == "SH" || vr == "UT" || vr == "UC" || vr == "ST" || vr == "LT" || vr == "PN") {
                    inner.reset();
                    read_identity_values(inner, key);
                }
            }
        }
    }

    static std::string person_name_groups(od::object pn) {
        std::string parts[3];
        for (auto group : pn) {
            std::string_view name = group.unescaped_key();
            od::value text = group.value();
            if (text.type() != od::json_type::string) continue;
            int i = name == "Alphabetic" ? 0 : name == "Ideographic" ? 1 : name == "Phonetic" ? 2 : -1;
            if (i >= 0) parts[i] = std::string(std::string_view(text.get_string()));
        }
        std::string groups = parts[0];
        if (!parts[1].empty() || !parts[2].empty()) groups += "=" + parts[1];
        if (!parts[2].empty()) groups += "=" + parts[2];
        return groups;
    }

    void walk_dataset(od::object obj, bool summary_only) {
        // Private creators of this dataset, by (group << 8 | block): a private attribute's
        // rules depend on who defined it.
        std::vector<std::pair<std::uint32_t, std::string>> creators;
        for (auto field : obj) {
            std::string_view key = field.unescaped_key();
            TagKey tag = 0;
            if (!parse_tag(key, tag)) throw MalformedJson("an attribute key is not 8 hexadecimal digits");
            od::object attr = field.value().get_object();
            // The sender's VR only counts where it is riskier than the dictionary's (value_vr).
            std::string_view vr = dictionary_vr(tag);
            auto vr_field = attr.find_field_unordered("vr");
            if (vr_field.error() == simdjson::SUCCESS) {
                std::string_view sent = vr_field.get_string();
                if (sent.size() != 2) throw MalformedJson("an attribute has a VR that is not two letters");
                vr = value_vr(vr, sent);
                if (vr.empty()) continue;  // a sequence where the dictionary says a value, or the reverse
            } else if (vr.empty()) {
                vr = "UN";
            }
            if (summary_only && tag != kFrameAcquisitionDateTime && tag != kFrameReferenceDateTime &&
                tag != kFrameAcquisitionDuration && vr != "SQ")
                continue;
            if (is_binary_vr(vr)) continue;  // BulkDataURI / InlineBinary: never stored
            std::string_view creator;
            if (is_private(tag)) {
                std::uint16_t element = tag_element(tag);
                if (element >= 0x0010 && element <= 0x00FF) {  // a private creator element
                    creators.emplace_back((std::uint32_t(tag_group(tag)) << 8) | element,
                                          first_string(attr));
                    creator = creators.back().second;
                } else {
                    std::uint32_t block = (std::uint32_t(tag_group(tag)) << 8) | (element >> 8);
                    for (const auto& [k, name] : creators)
                        if (k == block) creator = name;
                }
            }
            AttributeContext ctx{parents, creator, &identity};
            auto action = filter.decide(tag, vr, ctx);
            if (action == AttributeFilter::Action::drop) continue;
            if (vr == "SQ") {
                walk_sequence(attr, tag, summary_only);
                continue;
            }
            emit(attr, tag, vr, action, summary_only, ctx);
        }
    }

    void walk_sequence(od::object& attr, TagKey tag, bool summary_only) {
        auto value = attr.find_field_unordered("Value");
        if (value.error() == simdjson::NO_SUCH_FIELD) return;
        od::array items = value.get_array();
        // Checked before going down: the recursion (and the path) stays bounded whatever the
        // PACS sends, and simdjson's own depth limit is never the one that answers.
        if (static_cast<int>(parents.size()) >= options.max_depth)
            throw LimitExceeded("an attribute is nested more than " + std::to_string(options.max_depth) +
                                " sequences deep (limits.max_depth; raise it only if real data is this deep)");
        // The path grows and is cut back in place: one copy per level would make deep nesting
        // quadratic.
        const size_t saved = prefix.size();
        const std::string& kw = keyword_for(tag);
        parents.push_back(tag);
        size_t index = 0;
        for (auto item : items) {
            bool item_summary = summary_only ||
                                (options.collapse_per_frame && tag == kPerFrameFunctionalGroups && index > 0);
            prefix.resize(saved);
            prefix += kw;
            prefix += '[';
            prefix += std::to_string(index);
            prefix += "].";
            if (item.type() == od::json_type::null) {
                ++index;
                continue;
            }
            walk_dataset(item.get_object(), item_summary);
            ++index;
        }
        parents.pop_back();
        prefix.resize(saved);
    }

    static std::string first_string(od::object& attr) {
        auto value = attr.find_field_unordered("Value");
        if (value.error() == simdjson::NO_SUCH_FIELD) return {};
        for (auto v : value.get_array()) {
            od::value first = v.value();
            od::json_type type = first.type();
            if (type == od::json_type::string) return std::string(std::string_view(first.get_string()));
            break;
        }
        return {};
    }

    void emit(od::object& attr, TagKey tag, std::string_view vr, AttributeFilter::Action action,
              bool summary_only, const AttributeContext& ctx) {
        Attribute a;
        a.path = prefix;
        a.path += keyword_for(tag);
        a.tag = tag;
        a.vr[0] = vr[0];
        a.vr[1] = vr[1];
        a.depth = static_cast<int>(parents.size());
        a.summary_only = summary_only;
        if (static_cast<long>(instance.attributes.size()) >= options.max_attributes)
            throw LimitExceeded("an instance has more than " + std::to_string(options.max_attributes) +
                                " attributes (limits.max_attributes; raise it only if real data is this large)");

        auto value = attr.find_field_unordered("Value");
        if (value.error() == simdjson::NO_SUCH_FIELD) {
            a.json = "null";
            instance.attributes.push_back(std::move(a));
            return;
        }
        od::array values = value.get_array();
        std::string body;
        size_t count = 0;
        for (auto v : values) {
            if (count > 0) body += ',';
            append_value(a, body, v.value(), vr, action, count == 0, ctx);
            ++count;
        }
        if (count == 0)
            a.json = "null";
        else if (count == 1)
            a.json = std::move(body);
        else
            a.json = "[" + body + "]";
        instance.attributes.push_back(std::move(a));
    }

    void append_value(Attribute& a, std::string& out, od::value v, std::string_view vr,
                      AttributeFilter::Action action, bool first, const AttributeContext& ctx) {
        od::json_type type = v.type();
        if (type == od::json_type::null) {
            out += "null";
            return;
        }
        // DICOM JSON values are strings, numbers or (PN) objects: a nested array or object is
        // refused rather than kept as a stray bracket.
        if (type == od::json_type::array || (type == od::json_type::object && vr != "PN"))
            throw MalformedJson("an attribute value is a JSON array or object where DICOM JSON has a string or number");
        if (is_numeric_vr(vr)) {
            double d = 0;
            bool ok = false;
            std::string_view raw;
            if (type == od::json_type::number) {
                d = v.get_double();
                ok = true;
            } else if (type == od::json_type::string) {
                raw = v.get_string();
                ok = parse_number(raw, d);
            }
            if (ok) {
                append_number(out, d);
                if (first) {
                    a.number = d;
                    a.text = number_text(d);
                }
            } else {
                // Not a number after all (vendors write "n/a"): keep the text, typed as a string.
                append_json_string(out, raw);
                if (first) a.text = std::string(raw);
            }
            return;
        }
        if (vr == "PN") {
            append_person_name(a, out, v, first, action, ctx);
            return;
        }
        std::string_view s;
        if (type == od::json_type::string) {
            s = v.get_string();
        } else {
            // Numbers in string VRs happen (e.g. AT written as a number): keep the raw token, but
            // a value the filter rewrites (a date to shift, a UID, a descriptor) is rewritten as
            // text: kept as is it would bypass the de-identification.
            s = v.raw_json_token();
            if (action == AttributeFilter::Action::keep) {
                append_json_string(out, s);
                if (first) a.text = std::string(s);
                return;
            }
        }
        std::string typed;
        if (vr == "DA")
            typed = iso_date(s);
        else if (vr == "TM")
            typed = iso_time(s);
        else if (vr == "DT")
            typed = iso_datetime(s);
        else if (vr == "UI" && action == AttributeFilter::Action::replace_uid)
            typed = filter.replace_uid(s);
        else
            typed = std::string(s);
        if (action == AttributeFilter::Action::shift_date && (vr == "DA" || vr == "DT"))
            typed = filter.shift_date(typed, vr, ctx);
        else if (action == AttributeFilter::Action::clean_text)
            typed = filter.clean_text(typed, ctx);
        append_json_string(out, typed);
        if (first) a.text = std::move(typed);
    }

    void append_person_name(Attribute& a, std::string& out, od::value v, bool first,
                            AttributeFilter::Action action, const AttributeContext& ctx) {
        auto cleaned = [&](std::string_view text) {
            return action == AttributeFilter::Action::clean_text ? filter.clean_text(text, ctx) : std::string(text);
        };
        if (v.type() == od::json_type::string) {  // non-conformant servers write PN as a string
            std::string s = cleaned(v.get_string());
            out += "{\"Alphabetic\":";
            append_json_string(out, s);
            out += '}';
            if (first) a.text = s;
            return;
        }
        od::object pn = v.get_object();
        out += '{';
        bool any = false;
        for (auto group : pn) {
            std::string_view name = group.unescaped_key();
            std::string text = cleaned(group.value().get_string());
            if (any) out += ',';
            append_json_string(out, name);
            out += ':';
            append_json_string(out, text);
            if (first && (a.text.empty() || name == "Alphabetic")) a.text = text;
            any = true;
        }
        out += '}';
    }
};

}  // namespace

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

void append_json_string(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (u == 0) break;  // PostgreSQL's jsonb cannot hold U+0000: drop it
                if (u < 0x20) {
                    out += "\\u00";
                    out += hex[u >> 4];
                    out += hex[u & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

std::string iso_date(std::string_view da) {
    while (!da.empty() && da.back() == ' ') da.remove_suffix(1);
    if (da.size() == 8 && all_digits(da))
        return std::string(da.substr(0, 4)) + "-" + std::string(da.substr(4, 2)) + "-" +
               std::string(da.substr(6, 2));
    if (da.size() == 10 && da[4] == '.' && da[7] == '.')  // ACR-NEMA "YYYY.MM.DD"
        return std::string(da.substr(0, 4)) + "-" + std::string(da.substr(5, 2)) + "-" +
               std::string(da.substr(8, 2));
    return std::string(da);
}

std::string iso_time(std::string_view tm) {
    while (!tm.empty() && tm.back() == ' ') tm.remove_suffix(1);
    if (tm.find(':') != std::string_view::npos) return std::string(tm);  // already "HH:MM:SS"
    std::string_view frac;
    auto dot = tm.find('.');
    std::string_view hms = tm;
    if (dot != std::string_view::npos) {
        hms = tm.substr(0, dot);
        frac = tm.substr(dot);
    }
    if (!all_digits(hms) || (hms.size() != 2 && hms.size() != 4 && hms.size() != 6)) return std::string(tm);
    std::string out(hms.substr(0, 2));
    out += ':';
    out += hms.size() >= 4 ? hms.substr(2, 2) : std::string_view("00");
    out += ':';
    out += hms.size() == 6 ? hms.substr(4, 2) : std::string_view("00");
    if (hms.size() == 6) out += frac;
    return out;
}

std::string iso_datetime(std::string_view dt) {
    while (!dt.empty() && dt.back() == ' ') dt.remove_suffix(1);
    std::string_view zone;
    auto sign = dt.find_first_of("+-", 4);
    if (sign != std::string_view::npos) {
        zone = dt.substr(sign);
        dt = dt.substr(0, sign);
    }
    std::string_view main = dt, frac;
    auto dot = dt.find('.');
    if (dot != std::string_view::npos) {
        main = dt.substr(0, dot);
        frac = dt.substr(dot);
    }
    if (!all_digits(main) || main.size() < 4 || main.size() % 2 != 0 || main.size() > 14)
        return std::string(dt) + std::string(zone);
    std::string out(main.substr(0, 4));
    out += '-';
    out += main.size() >= 6 ? main.substr(4, 2) : std::string_view("01");
    out += '-';
    out += main.size() >= 8 ? main.substr(6, 2) : std::string_view("01");
    if (main.size() > 8) {
        out += 'T';
        out += main.substr(8, 2);
        out += ':';
        out += main.size() >= 12 ? main.substr(10, 2) : std::string_view("00");
        out += ':';
        out += main.size() >= 14 ? main.substr(12, 2) : std::string_view("00");
        if (main.size() == 14) out += frac;
    }
    if (zone.size() == 5 && all_digits(zone.substr(1))) {
        out += zone.substr(0, 3);
        out += ':';
        out += zone.substr(3, 2);
    }
    return out;
}

void walk_metadata(simdjson::padded_string_view body, const AttributeFilter& filter,
                   const std::function<void(Instance&&)>& on_instance, const WalkOptions& options) {
    thread_local od::parser parser;
    try {
        od::document doc = parser.iterate(body);
        Walker w(filter, options);
        od::json_type type = doc.type();
        if (type == od::json_type::array) {
            for (auto item : doc.get_array()) {
                w.walk_instance(item.get_object());
                on_instance(std::move(w.instance));
            }
        } else if (type == od::json_type::object) {
            w.walk_instance(doc.get_object());
            on_instance(std::move(w.instance));
        } else {
            throw MalformedJson("metadata is neither a JSON array nor an object");
        }
    } catch (const simdjson::simdjson_error& e) {
        throw MalformedJson(std::string("malformed DICOM JSON: ") + simdjson::error_message(e.error()));
    }
}

std::vector<Instance> parse_metadata(std::string_view body, const AttributeFilter& filter,
                                     const WalkOptions& options) {
    simdjson::padded_string padded(body);
    std::vector<Instance> out;
    walk_metadata(padded, filter, [&](Instance&& i) { out.push_back(std::move(i)); }, options);
    return out;
}

}  // namespace dicomlake::model
