#include "command/extract_common.hpp"

#include <cstdio>

#include "util/error.hpp"

#include "source/dicomweb/dicomweb_source.hpp"
#include "source/dimse/dimse_source.hpp"
#include "warehouse/database.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::command {

source::dicomweb::DicomwebOptions dicomweb_options(const cli::Config& c) {
    source::dicomweb::DicomwebOptions o;
    o.root = c.pacs_url;
    o.name = source_name(c);
    o.page_size = c.pacs_page_size;
    o.series_threshold = c.pacs_series_threshold;
    o.max_depth = c.max_depth;
    o.modalities = c.modalities;
    o.study_description = c.study_description;
    o.http.user = c.pacs_user;
    o.http.password = c.pacs_password;
    o.http.connect_timeout_s = c.pacs_connect_timeout_s;
    o.http.timeout_s = c.pacs_timeout_s;
    o.http.retries = c.pacs_retries;
    o.http.max_body_bytes = static_cast<std::size_t>(c.max_response_mb) << 20;
    o.http.verify_tls = c.pacs_verify_tls;
    o.http.ca_file = c.pacs_ca_file;
    o.http.bearer_token = c.pacs_token;
    o.http.client_cert = c.pacs_client_cert;
    o.http.client_key = c.pacs_client_key;
    o.http.gate = std::make_shared<source::dicomweb::RequestGate>(c.pacs_concurrency, c.pacs_max_rps);
    o.http.breaker =
        std::make_shared<source::dicomweb::CircuitBreaker>(c.pacs_breaker_threshold, c.pacs_breaker_pause_s);
    return o;
}

source::dimse::DimseOptions dimse_options(const cli::Config& c) {
    source::dimse::DimseOptions o;
    o.name = source_name(c);
    o.association.peer = source::dimse::parse_dimse_url(c.pacs_url);
    o.association.calling_aet = c.pacs_calling_aet;
    o.association.connect_timeout_s = c.pacs_connect_timeout_s;
    o.association.timeout_s = c.pacs_timeout_s;
    o.move = c.pacs_retrieve_move;
    o.move_destination = c.pacs_move_destination;
    o.store_port = c.pacs_store_port;
    o.find_cap = c.pacs_find_cap;
    o.instances_per_series = c.pacs_instances_per_series;
    o.modalities = c.modalities;
    o.study_description = c.study_description;
    o.retries = c.pacs_retries;
    o.gate = std::make_shared<source::dicomweb::RequestGate>(c.pacs_concurrency, c.pacs_max_rps);
    o.breaker = std::make_shared<source::dicomweb::CircuitBreaker>(c.pacs_breaker_threshold, c.pacs_breaker_pause_s);
    return o;
}

pipeline::Options pipeline_options(const cli::Config& c) {
    pipeline::Options o;
    o.key = c.key;
    o.key_version = c.key_version;
    o.previous_keys = c.previous_keys;
    o.deid = c.deid_options;
    o.safe_private = c.safe_private;
    o.keep_text = c.keep_text;
    o.walk.max_depth = c.max_depth;
    o.walk.max_attributes = c.max_attributes;
    o.workers = static_cast<size_t>(c.pacs_concurrency);
    o.batch_studies = static_cast<size_t>(c.batch_studies);
    o.max_attempts = c.max_attempts;
    o.listing_filtered = !c.modalities.empty() || !c.study_description.empty();
    return o;
}

std::string source_name(const cli::Config& config) {
    return config.pacs_name.empty() ? source::source_name_from_url(config.pacs_url) : config.pacs_name;
}

std::unique_ptr<source::Source> make_source(const cli::Config& config) {
    const std::string& url = config.pacs_url;
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
        return std::make_unique<source::dicomweb::DicomwebSource>(dicomweb_options(config));
    if (url.rfind("dicom://", 0) == 0) return std::make_unique<source::dimse::DimseSource>(dimse_options(config));
    throw ConfigError("pacs-url must start with http:// or https:// (a DICOMweb root) or dicom:// (a DIMSE PACS)");
}

namespace {

int dry_run(const cli::Config& config, const pipeline::ExtractRequest& request) {
    auto source = make_source(config);
    source->probe();
    std::map<std::string, long> per_day;
    try {
        per_day = pipeline::count_studies(*source, request.days);
    } catch (const source::SourceError& e) {
        throw PacsError(std::string("listing studies failed: ") + e.what());
    }
    long total = 0;
    std::printf("%s --dry-run %s..%s: studies the PACS lists per StudyDate (nothing fetched, nothing written)\n",
                request.command.c_str(), request.window_from.c_str(), request.window_to.c_str());
    for (const auto& [day, n] : per_day) {
        std::printf("  %s  %6ld\n", day.c_str(), n);
        total += n;
    }
    std::printf("  total       %6ld studies on %zu day(s)\n", total, per_day.size());
    return 0;
}

}  // namespace

int extract_and_report(const cli::Config& config, pipeline::ExtractRequest request, source::Source* given) {
    if (given == nullptr) cli::require_pacs(config);
    if (request.dry_run) return dry_run(config, request);
    cli::require_database(config);
    cli::require_key(config);
    warehouse::Database db(config.db_url);
    db.require_current_schema();
    warehouse::ExtractionLock lock(db);
    std::unique_ptr<source::Source> made = given == nullptr ? make_source(config) : nullptr;
    source::Source& source = given != nullptr ? *given : *made;
    source.probe();
    auto report = pipeline::extract(pipeline_options(config), source, db, request);
    const auto& c = report.counts;
    std::string scope = !request.studies.empty() ? std::to_string(request.studies.size()) + " listed stud(ies)"
                        : request.accessions.empty()
                            ? request.window_from + ".." + request.window_to
                            : std::to_string(request.accessions.size()) + " accession line(s)";
    std::printf("%s %s: %ld studies found, %ld loaded (%ld series), %ld unchanged, %ld failed\n",
                request.command.c_str(), scope.c_str(), c.studies_found, c.studies_loaded, c.series_loaded,
                c.studies_unchanged, c.studies_failed);
    if (report.removed > 0) std::printf("%ld stud(ies) no longer in the PACS were removed\n", report.removed);
    if (!report.message.empty()) std::printf("%s\n", report.message.c_str());
    return static_cast<int>(report.code);
}

}  // namespace dicomlake::command
