// A fault-injecting HTTP proxy in front of the lab's Orthanc (cpp-httplib): forwards every GET
// unchanged, except requests whose path contains a configured marker, which get the fault.
// For what a real server will not do on demand: malformed bodies, errors, stalls.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace dicomlake::testing {

struct Fault {
    enum class Kind {
        truncate_body,   // the first half of the body, as a 200 with a matching Content-Length
        status,
        garbage_body,
        delay,
        multipart,
        reset_mid_body,
        drop_last_item,  // a well-formed JSON array without its last element (a silent cut)
        body,            // `body` instead of the upstream's answer
    } kind = Kind::truncate_body;
    int status = 500;     // for Kind::status
    int delay_ms = 0;     // for Kind::delay: answer correctly, this much later
    int times = -1;       // how many requests get the fault (-1: all); the rest pass
    std::string retry_after;  // for Kind::status: a Retry-After header value
    // For Kind::body: what is served, as `content_type`, with Content-Encoding `encoding` if set.
    std::shared_ptr<const std::string> body;
    std::string content_type = "application/dicom+json", encoding;

    static Fault serve(std::shared_ptr<const std::string> body, std::string encoding = {}) {
        Fault f = with(Kind::body);
        f.body = std::move(body);
        f.encoding = std::move(encoding);
        return f;
    }
    static Fault drop_last() { return with(Kind::drop_last_item); }

    static Fault truncated() { return with(Kind::truncate_body); }
    static Fault garbage() { return with(Kind::garbage_body); }
    static Fault as_multipart() { return with(Kind::multipart); }  // a correct body, multipart/related
    // Announces the whole body, sends half of it, then drops the connection.
    static Fault reset_mid_body(int times = -1) {
        Fault f = with(Kind::reset_mid_body);
        f.times = times;
        return f;
    }
    static Fault answer(int status, int times = -1, std::string retry_after = {}) {
        Fault f = with(Kind::status);
        f.status = status;
        f.times = times;
        f.retry_after = std::move(retry_after);
        return f;
    }
    static Fault delayed(int ms, int times = -1) {
        Fault f = with(Kind::delay);
        f.delay_ms = ms;
        f.times = times;
        return f;
    }

private:
    static Fault with(Kind k) {
        Fault f;
        f.kind = k;
        return f;
    }
};

// How the proxy answers QIDO-RS study and series queries, imitating servers seen in the field.
enum class QidoMode {
    pass,              // as the upstream answers
    page_cap,          // at most N results per page whatever `limit` says; 204 for an empty page
    total_cap_warning, // at most N results in all, with "Warning: 299 ..." when cut (dcm4chee)
    ignore_offset,     // the first page again for any offset (dcmjs-org/dicomweb-server#19)
};

class FaultProxy {
public:
    // Serve HTTPS with this certificate; with `client_ca`, demand client certificates it signed.
    struct Tls {
        std::string cert, key, client_ca;
    };

    // `upstream`: scheme://host:port of the real server.
    explicit FaultProxy(std::string upstream, const Tls* tls = nullptr);
    ~FaultProxy();

    // Requests whose path and query ("/dicom-web/studies?StudyDate=...") contain `marker` get `fault`.
    void add_fault(const std::string& marker, Fault fault);
    // Chaos: the first request for `percent` % of the distinct URLs (chosen by a hash with
    // `seed`) gets one of 503, 429 (Retry-After: 1), a reset mid-body or a body cut short; every
    // later request for the same URL passes, so a client that retries gets everything.
    void set_chaos(int percent, unsigned seed) {
        std::lock_guard lock(mutex_);
        chaos_percent_ = percent;
        chaos_seed_ = seed;
    }
    int chaos_served() const;
    // The proxy's origin, e.g. http://127.0.0.1:34567
    std::string origin() const { return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_); }
    int faults_served() const;
    // Accept only "Authorization: Bearer <token>", and talk to the upstream with `upstream_auth`
    // (a full Authorization header value, e.g. "Basic ...").
    void require_bearer(std::string token, std::string upstream_auth) {
        std::lock_guard lock(mutex_);
        bearer_ = std::move(token);
        upstream_auth_ = std::move(upstream_auth);
    }
    void set_qido(QidoMode mode, int n) {
        std::lock_guard lock(mutex_);
        qido_mode_ = mode;
        qido_n_ = n;
    }
    // What the PACS saw: the most requests in flight at once, and the most that started within
    // any one second.
    int max_in_flight() const;
    int max_per_second() const;
    int requests() const;

private:
    void answer_qido(const httplib::Request& req, httplib::Response& res, QidoMode mode, int n);
    std::optional<Fault> chaos_fault(const std::string& target);  // under mutex_
    std::string upstream_;
    bool tls_ = false;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::map<std::string, Fault> faults_;
    int served_ = 0;
    QidoMode qido_mode_ = QidoMode::pass;
    std::string bearer_, upstream_auth_;
    int qido_n_ = 0;
    int chaos_percent_ = 0, chaos_served_ = 0;
    unsigned chaos_seed_ = 0;
    std::set<std::string> chaos_seen_;
    int in_flight_ = 0, max_in_flight_ = 0;
    std::vector<double> starts_;  // seconds since the proxy started
};

}  // namespace dicomlake::testing
