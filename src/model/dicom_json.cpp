#include "model/dicom_json.hpp"

#include <algorithm>
#include <new>
#include <string>

#include "util/number.hpp"

namespace dicomlake::model {

namespace dom = simdjson::dom;

namespace {

[[noreturn]] void malformed(const char* what) { throw MalformedJson(what); }

// One dataset of a parsed body: the attributes of an instance or of a sequence item, in the
// sender's order. The DOM is validated, so every access below is on well-formed JSON.
class JsonReader final : public DatasetReader {
public:
    explicit JsonReader(dom::object dataset) : dataset_(dataset), it_(dataset.begin()) {}

    bool next() override {
        if (started_) ++it_;
        started_ = true;
        if (it_ == dataset_.end()) return false;
        if (!parse_tag(it_.key(), tag_)) malformed("an attribute key is not 8 hexadecimal digits");
        if (it_.value().get(attribute_) != simdjson::SUCCESS) malformed("an attribute is not a JSON object");
        return true;
    }

    TagKey tag() override { return tag_; }

    std::string_view sent_vr() override {
        dom::element vr;
        if (attribute_.at_key("vr").get(vr) != simdjson::SUCCESS) return {};
        std::string_view text;
        if (vr.get(text) != simdjson::SUCCESS) malformed("an attribute's vr is not a string");
        return text;
    }

    void values(const std::function<void(const RawValue&)>& each) override {
        dom::array values;
        if (value_array(values))
            for (dom::element v : values) each(raw_value(v));
    }

    void items(const std::function<void(DatasetReader*)>& each) override {
        dom::array values;
        if (!value_array(values)) return;
        for (dom::element v : values) {
            if (v.is_null()) {
                each(nullptr);
                continue;
            }
            dom::object item;
            if (v.get(item) != simdjson::SUCCESS) malformed("a sequence item is not a JSON object");
            JsonReader reader(item);
            each(&reader);
        }
    }

    void rewind() override {
        it_ = dataset_.begin();
        started_ = false;
    }

private:
    // "Value" (absent: no values; BulkDataURI and InlineBinary are never read).
    bool value_array(dom::array& out) {
        dom::element value;
        if (attribute_.at_key("Value").get(value) != simdjson::SUCCESS) return false;
        if (value.get(out) != simdjson::SUCCESS) malformed("an attribute's Value is not a JSON array");
        return true;
    }

    RawValue raw_value(dom::element v) {
        RawValue raw;
        switch (v.type()) {
            case dom::element_type::NULL_VALUE: break;
            case dom::element_type::STRING:
                raw.kind = RawValue::Kind::text;
                raw.text = v.get_string().value_unsafe();
                break;
            case dom::element_type::INT64:
            case dom::element_type::UINT64:
            case dom::element_type::DOUBLE:
                raw.kind = RawValue::Kind::number;
                raw.number = v.get_double().value_unsafe();
                number_token_ = v.type() == dom::element_type::INT64    ? std::to_string(v.get_int64().value_unsafe())
                                : v.type() == dom::element_type::UINT64 ? std::to_string(v.get_uint64().value_unsafe())
                                                                        : number_text(raw.number);
                raw.text = number_token_;
                break;
            case dom::element_type::BOOL:
                raw.kind = RawValue::Kind::text;
                raw.text = v.get_bool().value_unsafe() ? "true" : "false";
                break;
            case dom::element_type::OBJECT: person_name(v.get_object().value_unsafe(), raw); break;
            case dom::element_type::ARRAY: raw.kind = RawValue::Kind::nested; break;
        }
        return raw;
    }

    static void person_name(dom::object pn, RawValue& raw) {
        raw.kind = RawValue::Kind::person_name;
        for (auto [name, text] : pn) {
            int i = name == "Alphabetic" ? 0 : name == "Ideographic" ? 1 : name == "Phonetic" ? 2 : -1;
            if (i < 0) continue;
            if (text.get(raw.groups[i]) != simdjson::SUCCESS) malformed("a person name group is not a string");
        }
    }

    dom::object dataset_;
    dom::object::iterator it_;
    bool started_ = false;
    TagKey tag_ = 0;
    dom::object attribute_;
    std::string number_token_;
};

// JSON levels a DICOM JSON body needs for `max_depth` sequence levels: the instance array and
// object, three per sequence (attribute, Value, item), the leaf attribute, its Value and a PN.
size_t json_depth_for(int max_depth) { return 2 + 3 * static_cast<size_t>(max_depth) + 3 + 1; }

}  // namespace

namespace {

dom::parser& thread_parser() {
    thread_local dom::parser parser;
    return parser;
}

}  // namespace

// Input bytes a thread's parser may stay sized for between bodies (an ordinary study's answer).
constexpr size_t kKeptParserBytes = size_t(2) << 20;

void release_outsized_parser() {
    if (thread_parser().capacity() > kKeptParserBytes) thread_parser() = dom::parser{};
}

ParsedJson parse_json_metadata(simdjson::padded_string_view body, int max_depth) {
    dom::parser& parser = thread_parser();
    const size_t depth = json_depth_for(max_depth);
    if (parser.max_depth() != depth &&
        parser.allocate(std::max(body.size(), parser.capacity()), depth) != simdjson::SUCCESS)
        throw std::bad_alloc();
    ParsedJson parsed;
    if (auto error = parser.parse(body).get(parsed.root); error != simdjson::SUCCESS) {
        // JSON nested deeper than max_depth sequences need: refused before anything is read.
        if (error == simdjson::DEPTH_ERROR)
            throw LimitExceeded("an attribute is nested more than " + std::to_string(max_depth) +
                                " sequences deep (limits.max_depth; raise it only if real data is this deep)");
        throw MalformedJson(std::string("malformed DICOM JSON: ") + simdjson::error_message(error));
    }
    return parsed;
}

void for_each_json_instance(const ParsedJson& parsed, const std::function<void(DatasetReader&)>& on_instance) {
    auto visit = [&](dom::element instance) {
        dom::object obj;
        if (instance.get(obj) != simdjson::SUCCESS) malformed("an instance is not a JSON object");
        JsonReader reader(obj);
        on_instance(reader);
    };
    if (dom::array instances; parsed.root.get(instances) == simdjson::SUCCESS) {
        for (dom::element instance : instances) visit(instance);
    } else if (parsed.root.is_object()) {
        visit(parsed.root);
    } else {
        malformed("metadata is neither a JSON array nor an object");
    }
}

void for_each_json_instance(simdjson::padded_string_view body, int max_depth,
                            const std::function<void(DatasetReader&)>& on_instance) {
    for_each_json_instance(parse_json_metadata(body, max_depth), on_instance);
    release_outsized_parser();
}

void walk_metadata(simdjson::padded_string_view body, const AttributeFilter& filter,
                   const std::function<void(Instance&&)>& on_instance, const WalkOptions& options) {
    for_each_json_instance(body, options.max_depth,
                           [&](DatasetReader& reader) { on_instance(walk_instance(reader, filter, options)); });
}

std::vector<Instance> parse_metadata(std::string_view body, const AttributeFilter& filter,
                                     const WalkOptions& options) {
    simdjson::padded_string padded(body);
    std::vector<Instance> out;
    walk_metadata(padded, filter, [&](Instance&& i) { out.push_back(std::move(i)); }, options);
    return out;
}

}  // namespace dicomlake::model
