// Reading DICOMweb answers without trusting them: the pieces shared by the study lister and the
// per-worker session. Every error names the problem, never a value from the answer.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "source/dicomweb/http_client.hpp"
#include "source/source.hpp"

namespace dicomlake::source::dicomweb {

inline constexpr const char* kDicomJson = "application/dicom+json";

std::string trim_root(std::string root);
std::string describe_status(long status);
FailureKind kind_of(long status);

// The first value of attribute `tag` ("0020000D") of a QIDO-RS entry as text, or empty.
std::string first_string(const nlohmann::json& entry, const char* tag);
// A count attribute (NumberOfStudyRelatedInstances...): -1 when absent, negative, not an integer
// or beyond any real study, so an absurd number changes nothing downstream.
long count_value(const nlohmann::json& entry, const char* tag);

// Whether `body` is one complete JSON text as far as its brackets and strings go: a body cut
// short (a 200 with a matching Content-Length) fails this in one linear pass, without recursion.
bool json_complete(std::string_view body);

// The series UIDs of one QIDO-RS series page. Throws SourceError(malformed) for a page that is
// not a JSON array of objects, or that lists a series UID that is not a UID.
std::vector<std::string> parse_series_page(const std::string& body);

// Percent-encodes a QIDO-RS query value. Wildcards (* ?) and the comma of value lists stay
// literal: servers match on them as written (Orthanc does not decode %2A back to *).
std::string url_encode(const std::string& s);

// Modalities tried, one query each, when a listing stays truncated however it is narrowed.
extern const char* const kSplitModalities[21];
// Whether a split by `modality` is one the configured listing filter (comma-separated, "" = all)
// asks for.
bool modality_asked_for(const std::string& configured, const char* modality);

// Whether the answer says it was cut at the server's cap:
// "Warning: 299 {host}: There are N additional results that can be requested" (dcm4chee).
bool warns_truncation(const std::string& warning_header);

// A paged QIDO-RS query read until an empty page, with the signs of a list cut short: a Warning
// 299, a server that ignores `offset` (the same first item again) after a full first page, or
// `max_pages` pages without an end. Shared by study and series listings.
template <class Item>
struct PagedList {
    std::vector<Item> items;  // each key once, in the server's order
    bool truncated = false;
};

// `parse` turns a 200 body into items (throwing SourceError(malformed) for an unusable body,
// which the client retries); `key` gives an item's identity (its UID).
template <class Item, class Parse, class Key>
PagedList<Item> page_through(HttpClient& client, const std::string& url_base, long page_size, long max_pages,
                             const std::string& what, Parse parse, Key key) {
    PagedList<Item> out;
    std::string previous_first;
    size_t first_page_size = 0;
    long offset = 0;  // advanced by what each page held: some servers send fewer than `limit`
    long page = 0;
    for (; page < max_pages; ++page) {
        std::vector<Item> items;
        std::string url = url_base + (url_base.find('?') == std::string::npos ? "?" : "&") +
                          "limit=" + std::to_string(page_size) + "&offset=" + std::to_string(offset);
        HttpResponse r = client.get(url, kDicomJson, what, [&](const HttpResponse& resp) { items = parse(resp.body); });
        if (r.status == 204) break;
        if (r.status != 200) throw SourceError(kind_of(r.status), what + ": " + describe_status(r.status), r.status);
        if (warns_truncation(r.header("warning"))) out.truncated = true;
        if (items.empty()) break;
        if (page == 0) first_page_size = items.size();
        if (key(items.front()) == previous_first) {
            // The server ignores `offset`. The list is complete only if it all fit on one page.
            if (first_page_size >= static_cast<size_t>(page_size)) out.truncated = true;
            break;
        }
        previous_first = key(items.front());
        offset += static_cast<long>(items.size());
        for (auto& item : items) out.items.push_back(std::move(item));
        if (out.truncated) break;
    }
    if (page == max_pages) out.truncated = true;
    return out;
}

}  // namespace dicomlake::source::dicomweb
