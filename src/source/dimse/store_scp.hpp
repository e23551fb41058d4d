// pacs.retrieve = move: the storage SCP dicomlake runs on pacs.store_port for the run's duration.
// The PACS opens its own associations to it and sends the objects of each C-MOVE; each object's
// pixel data is dropped on arrival and the rest waits, in memory, in the mailbox of the session
// that asked for its study, which walks it in its own thread. Objects nobody asked for are
// refused and never kept.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class DcmDataset;

namespace dicomlake::source::dimse {

class Mailbox {
public:
    // Objects arrived since the last take().
    std::vector<std::unique_ptr<DcmDataset>> take();
    // Waits until `count` objects have arrived in all, or `timeout_s` passes.
    void wait_for(long count, long timeout_s);
    void put(std::unique_ptr<DcmDataset> object);

private:
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<std::unique_ptr<DcmDataset>> objects_;
    long total_ = 0;
};

class StoreScp {
public:
    // Listens on `port` (all interfaces) as `aet`; throws SourceError when the port cannot be bound.
    StoreScp(int port, const std::string& aet, long timeout_s);
    ~StoreScp();  // stops listening; objects still waiting are dropped

    // Registers a session's interest in a study (by its original UID, kept in memory only) for as
    // long as the returned mailbox is held. One session per study at a time.
    std::shared_ptr<Mailbox> expect(const std::string& study_uid);

    // Called by the receiving threads: true when a session wanted the object.
    bool deliver(const std::string& study_uid, std::unique_ptr<DcmDataset> object);

    class Pool;  // DCMTK's SCP pool (store_scp.cpp)

private:
    std::unique_ptr<Pool> pool_;
    std::thread listener_;
    std::mutex mutex_;
    std::map<std::string, std::weak_ptr<Mailbox>> expected_;
};

}  // namespace dicomlake::source::dimse
