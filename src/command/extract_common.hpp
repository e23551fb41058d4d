// What `run` and `backfill` share: open the warehouse and the PACS, run the pipeline, report.
#pragma once

#include <memory>

#include "cli/config.hpp"
#include "pipeline/extract.hpp"
#include "source/dicomweb/dicomweb_source.hpp"

namespace dicomlake::command {

source::dicomweb::DicomwebOptions dicomweb_options(const cli::Config& config);

// The one place a PACS source is made from the settings, chosen by the scheme of pacs.url (http
// and https: DICOMweb; dicom: DIMSE). `import` makes its files source itself. Callers see only
// source::Source.
std::unique_ptr<source::Source> make_source(const cli::Config& config);

// The pipeline's options from the settings.
pipeline::Options pipeline_options(const cli::Config& config);

// The name rows and runs record as their source: pacs.name, else pacs.url without credentials.
std::string source_name(const cli::Config& config);

// `source`: the source to extract from (import: the files); nullptr = make_source() from pacs.url.
int extract_and_report(const cli::Config& config, pipeline::ExtractRequest request, source::Source* source = nullptr);

}  // namespace dicomlake::command
