#pragma once
// The OpenSSL SSL_CTX shared by every DtlsTransport of one loop thread: our certificate,
// DTLS 1.2 only, ECDHE ciphers, peer certificate required. Creating an SSL_CTX is costly
// (OpenSSL 3 fetches algorithms), creating an SSL from one is cheap, hence the split.
// It also aggregates failure and drop counters over its transports for /metrics.
// Control path: construction failures throw CertificateError.
#include <string>

#include "core/base/EnumCounters.hpp"
#include "core/base/Metrics.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsErrors.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace cascade::dtls {

class DtlsContext {
 public:
  // `certificate` must outlive the context and its transports (passed by argument).
  explicit DtlsContext(const Certificate& certificate);
  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  const Certificate& certificate() const { return certificate_; }
  ssl_ctx_st* ssl_ctx() const { return ctx_; }

  base::EnumCounters<DtlsFailure>& failures() { return failures_; }
  base::EnumCounters<DtlsDrop>& drops() { return drops_; }
  // cascade_dtls_failures_total{kind=...} and cascade_dtls_dropped_datagrams_total{kind=...}.
  void RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels = {}) const;

 private:
  const Certificate& certificate_;
  ssl_ctx_st* ctx_;  // owned (SSL_CTX_free)
  base::EnumCounters<DtlsFailure> failures_;
  base::EnumCounters<DtlsDrop> drops_;
};

}  // namespace cascade::dtls
