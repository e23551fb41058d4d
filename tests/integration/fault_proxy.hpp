// A fault-injecting HTTP proxy in front of the lab's Orthanc (cpp-httplib): forwards every GET
// unchanged, except requests whose path contains a configured marker, which get the fault.
// For what a real server will not do on demand: malformed bodies, errors, stalls.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace dicomlake::testing {

struct Fault {
    enum class Kind { truncate_body, status, garbage_body, delay } kind = Kind::truncate_body;
    int status = 500;     // for Kind::status
    int delay_ms = 0;     // for Kind::delay: answer correctly, this much later
};

class FaultProxy {
public:
    // `upstream`: scheme://host:port of the real server.
    explicit FaultProxy(std::string upstream);
    ~FaultProxy();

    // Requests whose path contains `marker` get `fault`.
    void add_fault(const std::string& marker, Fault fault);
    // The proxy's origin, e.g. http://127.0.0.1:34567
    std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int faults_served() const;

private:
    std::string upstream_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::map<std::string, Fault> faults_;
    int served_ = 0;
};

}  // namespace dicomlake::testing
