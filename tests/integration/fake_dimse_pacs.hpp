// A fake DIMSE PACS for injected faults (DCMTK dcmnet), for what the lab's Orthanc will not do on
// demand: stop answering, or drop the connection, in the middle of a retrieve. It serves the
// Part 10 files it is given, as a Study Root PACS would: C-ECHO; C-FIND at STUDY level (by
// StudyDate range or StudyInstanceUID) and at SERIES level; C-GET with C-STORE sub-operations on
// the same association; C-MOVE with C-STORE sub-operations on an association of its own to the
// move destination, whose port it is told. Per study, a retrieve can answer normally, or send
// some objects and then go silent (association open, nothing more sent) or close the
// connection (TCP, without an A-ABORT). It listens on a free port (DCMTK binds every interface);
// the tests talk to it over loopback. One instance at a time per process.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace dicomlake::testing {

enum class RetrieveFault {
    none,            // every object, then the final response
    go_silent,       // some objects, then nothing (until the fake is destroyed)
    close_abruptly,  // some objects, then the TCP connection is shut down
};

class FakeDimsePacs {
public:
    // Serves `files` (Part 10), indexed by their Study/Series/SOP Instance UIDs.
    explicit FakeDimsePacs(const std::vector<std::string>& files, std::string aet = "FAKEPACS");
    ~FakeDimsePacs();  // ends the silent retrieves, then stops listening
    FakeDimsePacs(const FakeDimsePacs&) = delete;
    FakeDimsePacs& operator=(const FakeDimsePacs&) = delete;

    // dicom://AET@127.0.0.1:PORT
    std::string url() const;
    // C-MOVE: the move destination `aet` listens on 127.0.0.1:`port`.
    void add_destination(const std::string& aet, int port);
    // Every retrieve (C-GET or C-MOVE) of `study_uid` sends `objects` objects, then meets `fault`.
    void set_fault(const std::string& study_uid, RetrieveFault fault, int objects = 1);
    // Waits until `count` retrieves have met their fault, that is sent their objects (each
    // acknowledged by a C-STORE response) and gone silent or closed; false after `seconds`.
    bool wait_for_faults(int count, int seconds) const;
    int faults_met() const;

    struct State;  // the served files, the faults (fake_dimse_pacs.cpp)
    class Pool;    // DCMTK's SCP pool

private:
    std::shared_ptr<State> state_;
    std::unique_ptr<Pool> pool_;
    std::thread listener_;
    int port_ = 0;
};

}  // namespace dicomlake::testing
