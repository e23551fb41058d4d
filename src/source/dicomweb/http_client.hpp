// The libcurl adapter: one easy handle per worker thread, so connections are kept alive and
// reused. Retries transient failures with exponential backoff and jitter, honouring Retry-After.
#pragma once

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

    // GET with retries. Returns the final response for any HTTP status; throws SourceError
    // (unreachable/timeout) when no response could be had. `what` names the request in errors
    // without identifiers ("QIDO-RS study query", "WADO-RS study metadata").
    HttpResponse get(const std::string& url, const std::string& accept, const std::string& what);

private:
    HttpResponse perform(const std::string& url, const std::string& accept, int& curl_code, std::string& curl_error);
    HttpOptions options_;
    void* curl_;  // CURL*
};

// The server origin (scheme://host:port) of a URL: safe to show, since identifiers sit in paths.
std::string url_origin(const std::string& url);

}  // namespace dicomlake::source::dicomweb
