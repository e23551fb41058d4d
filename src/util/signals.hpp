// SIGINT/SIGTERM ask a run to stop cleanly: listing stops, studies in flight finish or are
// abandoned (never half-loaded), the ledger records the run as interrupted, and the same command
// resumes it. A second signal ends the process at once.
#pragma once

namespace dicomlake {

void install_stop_handlers();
bool stop_requested();
void request_stop();  // for tests

}  // namespace dicomlake
