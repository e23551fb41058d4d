// The libcurl adapter: one easy handle per worker thread, so connections are kept alive and
// reused. Retries transient failures with exponential backoff and jitter, honouring Retry-After.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "source/dicomweb/circuit_breaker.hpp"
#include "source/dicomweb/request_gate.hpp"

#include "source/source.hpp"

namespace dicomlake::source::dicomweb {

struct HttpOptions {
    std::string user;
    std::string password;
    std::string bearer_token;  // instead of user/password
    std::string client_cert, client_key;
    long connect_timeout_s = 10;
    long timeout_s = 120;
    int retries = 3;             // extra attempts after the first, for 408/429/5xx/connection errors
    double backoff_base_s = 0.5;  // first retry waits about this long, doubling each time
    double max_wait_s = 60;       // no wait between attempts is longer, whatever Retry-After says
    // Largest body accepted, as received and after decompression (limits.max_response_mb).
    std::size_t max_body_bytes = std::size_t(512) << 20;
    bool verify_tls = true;
    std::string ca_file;
    std::shared_ptr<RequestGate> gate;          // shared by every client of a run; none: no limits
    std::shared_ptr<CircuitBreaker> breaker;    // shared too; none: no pauses
};

struct HttpResponse {
    long status = 0;
    std::string body;                            // capacity leaves room for simdjson's padding
    std::map<std::string, std::string> headers;  // lower-case names
    std::string header(const std::string& name) const;
};

class HttpClient {
public:
    explicit HttpClient(HttpOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Checks a 200 answer's body; throws SourceError(malformed) for one that is unusable.
    using BodyCheck = std::function<void(const HttpResponse&)>;

    // GET with retries. Returns the final response for any HTTP status; throws SourceError
    // (unreachable/timeout) when no response could be had, and SourceError(limit) for a body
    // beyond max_body_bytes. `what` names the request in errors without identifiers
    // ("QIDO-RS study query", "WADO-RS study metadata"). With `check`, a 200 whose body fails it
    // is retried like a 503 (a body cut short is transient), except that the same malformed body
    // twice in a row ends the retries early: the server means it.
    HttpResponse get(const std::string& url, const std::string& accept, const std::string& what,
                     const BodyCheck& check = {});

    // Hands a body's memory back for the next answer: a worker then receives each study into
    // memory it has touched before (no page faults, no growth) instead of a new allocation.
    // An outsized body (beyond kKeptBodyBytes, a study of some 600 ordinary instances) is freed
    // instead: one large study must not hold its memory in a worker for the rest of the run.
    void recycle(std::string&& body) {
        if (body.capacity() > spare_.capacity() && body.capacity() <= kKeptBodyBytes) spare_ = std::move(body);
    }
    static constexpr std::size_t kKeptBodyBytes = std::size_t(2) << 20;

private:
    HttpResponse perform(const std::string& url, const std::string& accept, int& curl_code, std::string& curl_error,
                         bool& too_large);
    void wait_before_retry(int attempt, const HttpResponse* resp) const;
    HttpOptions options_;
    void* curl_;  // CURL*
    std::string spare_;
};

// The server origin (scheme://host:port) of a URL: safe to show, since identifiers sit in paths.
std::string url_origin(const std::string& url);

// Seconds a Retry-After value asks for (delay-seconds or an HTTP-date), within [0, cap];
// negative when the value is neither (then the client's own backoff applies).
double retry_after_seconds(const std::string& value, double cap);

}  // namespace dicomlake::source::dicomweb
