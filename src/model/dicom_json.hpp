// The DICOM JSON model (PS3.18 F.2) as a DatasetReader: WADO-RS metadata bodies and .json files.
// A body is parsed and validated whole by simdjson's DOM parser before any of it is read, so a
// malformed body is refused before the walk starts, and the reader only ever sees well-formed
// JSON; nesting deeper than the walk's sequence bound allows is refused as a limit.
#pragma once

#include <simdjson.h>

#include <functional>
#include <string_view>
#include <vector>

#include "model/instance.hpp"
#include "model/reader.hpp"
#include "model/walk.hpp"

namespace dicomlake::model {

// A body parsed by this thread's parser: valid until the thread parses its next body. The
// parsed document holds its own copy of every string, so the body's memory can be reused once
// parse_json_metadata returns.
struct ParsedJson {
    simdjson::dom::element root;
};

// Parses and validates a whole body. Throws MalformedJson, or LimitExceeded when the JSON nests
// deeper than `max_depth` sequences can (limits.max_depth).
ParsedJson parse_json_metadata(simdjson::padded_string_view body, int max_depth);

// Calls `on_instance` with a reader over each instance of a parsed body (an array of instances,
// or a single instance object). Throws MalformedJson.
void for_each_json_instance(const ParsedJson& parsed, const std::function<void(DatasetReader&)>& on_instance);

// Frees this thread's parser when a body made it larger than 2 MB of input: after one outsized
// body a thread goes back to the memory of ordinary ones. Call it once the parsed body is walked.
void release_outsized_parser();

// Parses, walks and releases an outsized parser.
void for_each_json_instance(simdjson::padded_string_view body, int max_depth,
                            const std::function<void(DatasetReader&)>& on_instance);

// for_each_json_instance + walk_instance.
void walk_metadata(simdjson::padded_string_view body, const AttributeFilter& filter,
                   const std::function<void(Instance&&)>& on_instance, const WalkOptions& options = {});

// Convenience for tests and tools: copies into padded memory first.
std::vector<Instance> parse_metadata(std::string_view body, const AttributeFilter& filter,
                                     const WalkOptions& options = {});

}  // namespace dicomlake::model
