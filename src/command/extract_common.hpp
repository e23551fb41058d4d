// What `run` and `backfill` share: open the warehouse and the PACS, run the pipeline, report.
#pragma once

#include "cli/config.hpp"
#include "pipeline/extract.hpp"
#include "source/dicomweb/dicomweb_source.hpp"

namespace dicomlake::command {

source::dicomweb::DicomwebOptions dicomweb_options(const cli::Config& config);

int extract_and_report(const cli::Config& config, pipeline::ExtractRequest request);

}  // namespace dicomlake::command
