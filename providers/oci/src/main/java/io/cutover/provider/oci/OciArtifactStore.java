// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.oci;

import io.cutover.api.Artifact;
import io.cutover.api.ArtifactRef;
import io.cutover.api.Digest;
import io.cutover.api.DigestMismatchException;
import io.cutover.api.InvalidSpecException;
import io.cutover.api.Provenance;
import io.cutover.api.ProviderException;
import io.cutover.api.TagRef;
import io.cutover.provider.oci.internal.ContentCache;
import io.cutover.provider.oci.internal.CredentialGuard;
import io.cutover.provider.oci.internal.Endpoint;
import io.cutover.provider.oci.internal.Failover;
import io.cutover.provider.oci.internal.Manifests;
import io.cutover.provider.oci.internal.RegistryAuth;
import io.cutover.provider.oci.internal.RegistryClient;
import io.cutover.provider.oci.internal.TooLargeException;
import io.cutover.provider.oci.internal.Urls;
import io.cutover.spi.ArtifactStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.HashingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ArtifactStore} over the OCI distribution API: an artifact is an image manifest (or
 * index) in a registry, identified by {@code host[:port]/path@sha256:...}.
 *
 * <p><b>Integrity.</b> Every manifest is read with every manifest media type in {@code Accept} and
 * must hash to its digest: for a tag, to the {@code Docker-Content-Digest} the registry states; for
 * a digest, to that digest. Blobs are hashed while they stream and the stream throws {@link
 * DigestMismatchException} at its end if they do not match. A mismatch is never retried or hidden
 * by a mirror.
 *
 * <p><b>Caching.</b> Manifests and small blobs are cached by digest (bounded, least recently used),
 * so {@link #describe} of a resolved artifact costs no second manifest request and still works
 * while the registry is down. A tag resolution is never cached. Pinned artifacts' manifests and
 * configs are never evicted. Pins are kept in this store instance only: the distribution API has no
 * pins, so protect images from the registry's own garbage collection with its retention rules.
 *
 * <p><b>Failover.</b> Each registry may have ordered mirrors ({@code host[:port][/path-prefix]});
 * each endpoint has a circuit breaker; when every endpoint fails retryably (I/O, 408, 429, 5xx) the
 * attempt is retried with exponential backoff on the injected scheduler, and then a retryable
 * {@link ProviderException} names what each endpoint answered.
 *
 * <p><b>Security.</b> TLS is verified (the JVM trust store, or the {@link OkHttpClient} you pass);
 * plain HTTP is used only for hosts listed with {@link Builder#insecure}. Credentials come from the
 * {@link CredentialsProvider} per host, for basic and bearer-token challenges, and never appear in
 * logs or errors. They travel only to the host they belong to (and the token realm it names), over
 * HTTPS unless that host is listed as insecure; redirects that change scheme are not followed, and
 * a redirect to another host (blob storage) carries no {@code Authorization} header. URLs in
 * messages lose their query (presigned storage URLs). Answers read whole are capped: manifests and
 * tag pages at 4 MiB, image configs at {@link #MAX_CONFIG_BYTES}, token answers at 256 KiB ({@link
 * ResponseTooLargeException}).
 *
 * <p><b>Threading.</b> Safe for concurrent use; calls block on network I/O. {@link #close()}
 * releases the scheduler and connections the store created (not those passed in).
 *
 * <p><b>Errors.</b> Unknown tags, digests and platforms: {@link NoSuchElementException}; content
 * that does not match: {@link DigestMismatchException}; registry failures: {@link
 * ProviderException} ({@code retryable()} says whether trying later may help); bad configuration:
 * {@link InvalidSpecException}.
 */
public final class OciArtifactStore implements ArtifactStore, AutoCloseable {
  /** The provider name, used in errors and for {@link java.util.ServiceLoader} registration. */
  public static final String PROVIDER = "oci";

  private static final Pattern ATTACHMENT_TAG =
      Pattern.compile("^sha256-[0-9a-f]{64}\\.(sig|att|sbom)$");
  private static final int MAX_CACHED_BLOB = 256 * 1024;

  /**
   * The largest image config read by {@link #describe} (configs are a few kilobytes; a registry
   * that streams more is refused with {@link ResponseTooLargeException}).
   */
  public static final long MAX_CONFIG_BYTES = 4L * 1024 * 1024;

  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final RegistryClient client;
  private final Failover failover;
  private final @Nullable ScheduledExecutorService ownedScheduler;
  private final @Nullable String defaultRegistry;
  private final Set<String> insecure;
  private final Map<String, List<String>> mirrors;
  private final @Nullable Platform platform;
  private final CircuitBreakerConfig breakerConfig;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private final Map<String, List<Endpoint>> endpoints = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> pins = new ConcurrentHashMap<>();
  // Cached configs and layers point back at their manifest so that pinning the manifest protects
  // them.
  private final Map<String, String> parentOf = Collections.synchronizedMap(new HashMap<>());
  // Digests seen as blobs in a parsed manifest: fetch() goes straight to /blobs/ for them.
  private final Set<String> knownBlobs = ConcurrentHashMap.newKeySet();
  private final ContentCache cache;

  private OciArtifactStore(Builder b) {
    this.insecure = Set.copyOf(b.insecure);
    this.mirrors = Map.copyOf(b.mirrors);
    this.defaultRegistry = b.defaultRegistry;
    this.platform = b.platform;
    this.ownsHttp = b.http == null;
    OkHttpClient base =
        b.http != null
            ? b.http
            : new OkHttpClient.Builder()
                .connectTimeout(b.timeout)
                .readTimeout(b.timeout)
                .callTimeout(b.timeout.multipliedBy(3))
                .build();
    // Redirects that change scheme are never followed (an HTTPS registry cannot move a request to
    // plain HTTP), and every hop passes the guard, which keeps credentials on their own origin.
    CredentialGuard guard = new CredentialGuard(insecure);
    OkHttpClient guarded =
        base.newBuilder().followSslRedirects(false).addNetworkInterceptor(guard).build();
    RegistryAuth auth = new RegistryAuth(b.credentials, guarded, b.clock, guard);
    this.http = guarded.newBuilder().addInterceptor(auth).authenticator(auth).build();
    this.client = new RegistryClient(http);
    ScheduledExecutorService scheduler = b.scheduler;
    if (scheduler == null) {
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "cutover-oci-retry");
                t.setDaemon(true);
                return t;
              });
      this.ownedScheduler = scheduler;
    } else {
      this.ownedScheduler = null;
    }
    RetryConfig retry =
        RetryConfig.custom()
            .maxAttempts(b.maxAttempts)
            .intervalFunction(IntervalFunction.ofExponentialBackoff(b.backoff, 2.0))
            .retryOnException(t -> t instanceof ProviderException pe && pe.retryable())
            .build();
    this.failover = new Failover(Retry.of("oci", retry), scheduler);
    this.breakerConfig =
        CircuitBreakerConfig.custom()
            .slidingWindowSize(10)
            .minimumNumberOfCalls(b.breakerMinimumCalls)
            .failureRateThreshold(50)
            .waitDurationInOpenState(b.breakerOpenFor)
            .permittedNumberOfCallsInHalfOpenState(1)
            .recordException(t -> t instanceof ProviderException pe && pe.retryable())
            .clock(b.clock.withZone(ZoneOffset.UTC))
            .build();
    this.cache = new ContentCache(b.cacheEntries, this::isProtected);
    // The endpoints (and circuit breakers) of the registries the configuration names are built
    // now, so that the first call to them does not pay for it.
    Set<String> known = new LinkedHashSet<>(insecure);
    known.addAll(mirrors.keySet());
    if (defaultRegistry != null) {
      known.add(defaultRegistry);
    }
    known.forEach(host -> endpointsFor(new Location(host, "")));
  }

  /**
   * A builder with defaults: anonymous, TLS everywhere, 3 attempts from 200 ms backoff, 10 s
   * timeouts.
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- ArtifactStore

  /**
   * Resolves a tag to the digest of the manifest it points to now (or, with a configured platform
   * and a tag that names an index, to the digest of that platform's manifest). Always asks the
   * registry.
   *
   * @throws DigestMismatchException if the manifest body does not hash to the stated digest
   */
  @Override
  public ArtifactRef resolve(TagRef tag) {
    Location loc = locate(tag.repository());
    RegistryClient.Fetched f =
        failover.run(
            "resolve",
            endpointsFor(loc),
            e -> client.getManifest(e, loc.path, tag.tag(), "resolve"));
    Digest actual = Digest.sha256(f.body());
    Digest digest = actual;
    if (f.digestHeader() != null) {
      Digest stated = parseStated(f.digestHeader(), f.url());
      if (!stated.equals(actual)) {
        throw new DigestMismatchException(f.url(), stated, actual);
      }
      digest = stated;
    }
    ArtifactRef ref = new ArtifactRef(tag.repository(), digest);
    Manifests.Manifest m = remember(ref, f.body(), f.contentType());
    if (platform != null && m.isIndex()) {
      return selectPlatform(ref, m, platform);
    }
    return ref;
  }

  /**
   * Describes an image: media type and size of the manifest, creation time and labels from the
   * image config, {@code org.opencontainers.image.*} annotations, and provenance as stated by the
   * labels ({@code org.opencontainers.image.source} and {@code .revision}; not verified: that is
   * the verification policy's job). Signatures are not listed here; a verification policy reads
   * them.
   */
  @Override
  public Artifact describe(ArtifactRef ref) {
    Location loc = locate(ref.repository());
    ContentCache.Entry manifest = manifest(ref, loc, "describe");
    Manifests.Manifest m = Manifests.parse(manifest.bytes(), manifest.mediaType(), ref.toString());
    Map<String, String> labels = new TreeMap<>();
    Instant created = null;
    if (m.config() != null && !m.isIndex()) {
      ArtifactRef configRef = new ArtifactRef(ref.repository(), m.config().digest());
      parentOf.put(configRef.toString(), ref.toString());
      Manifests.Config config = Manifests.parseConfig(smallBlob(configRef, loc, "describe"));
      created = config.created();
      labels.putAll(config.labels());
    }
    labels.putAll(m.annotations());
    if (created == null && labels.containsKey("org.opencontainers.image.created")) {
      try {
        created = OffsetDateTime.parse(labels.get("org.opencontainers.image.created")).toInstant();
      } catch (DateTimeParseException ignored) {
        // An unparseable annotation is just a label; the age is then unknown.
      }
    }
    Provenance provenance =
        new Provenance(
            labels.get("org.opencontainers.image.source"),
            null,
            labels.get("org.opencontainers.image.revision"),
            null,
            null,
            null);
    return Artifact.builder(ref)
        .mediaType(m.mediaType())
        .size(manifest.bytes().length)
        .created(created)
        .labels(labels)
        .provenance(
            provenance.equals(new Provenance(null, null, null, null, null, null))
                ? Provenance.NONE
                : provenance)
        .build();
  }

  /**
   * Opens content by digest: the manifest if the digest names one, otherwise the blob. Blobs are
   * verified while read; the stream throws {@link DigestMismatchException} at its end if they do
   * not match.
   */
  @Override
  public InputStream fetch(ArtifactRef ref) {
    Location loc = locate(ref.repository());
    ContentCache.Entry cached = cache.get(ref.toString());
    if (cached != null) {
      return new ByteArrayInputStream(cached.bytes());
    }
    if (!knownBlobs.contains(ref.toString())) {
      try {
        return new ByteArrayInputStream(manifest(ref, loc, "fetch").bytes());
      } catch (NoSuchElementException notAManifest) {
        // Fall through: the digest may name a blob.
      }
    }
    return openBlob(ref, loc, "fetch");
  }

  /**
   * Re-reads the manifest from the registry (not the cache) and hashes it, its config and every
   * layer (for an index: every child manifest), then describes it.
   */
  @Override
  public Artifact verify(ArtifactRef ref) {
    Location loc = locate(ref.repository());
    RegistryClient.Fetched f =
        failover.run(
            "verify",
            endpointsFor(loc),
            e -> client.getManifest(e, loc.path, ref.digest().toString(), "verify"));
    ref.digest().verify(f.body(), f.url());
    Manifests.Manifest m = remember(ref, f.body(), f.contentType());
    for (Manifests.Descriptor d : m.children()) {
      ArtifactRef child = new ArtifactRef(ref.repository(), d.digest());
      if (m.isIndex()) {
        RegistryClient.Fetched cf =
            failover.run(
                "verify",
                endpointsFor(loc),
                e -> client.getManifest(e, loc.path, d.digest().toString(), "verify"));
        d.digest().verify(cf.body(), cf.url());
      } else {
        try (InputStream in = openBlob(child, loc, "verify")) {
          in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
          throw ProviderException.retryable(
              PROVIDER, "verify", "reading " + child + " failed: " + e, e);
        }
      }
    }
    return describe(ref);
  }

  /**
   * The distinct digests the repository's tags point at, in tag order (the registry cannot tell
   * which is newest). Signature and attestation tags ({@code sha256-<hex>.sig/.att}) are left out.
   * Digests come from {@code HEAD} requests and are verified when their content is read.
   */
  @Override
  public List<ArtifactRef> list(String repository) {
    Location loc = locate(repository);
    LinkedHashSet<ArtifactRef> refs = new LinkedHashSet<>();
    List<String> tags;
    try {
      tags = tags(repository);
    } catch (NoSuchElementException unknownRepository) {
      return List.of();
    }
    for (String tag : tags) {
      if (ATTACHMENT_TAG.matcher(tag).matches()) {
        continue;
      }
      @Nullable String digest;
      try {
        digest =
            failover
                .run(
                    "list",
                    endpointsFor(loc),
                    e -> Optional.ofNullable(client.headManifest(e, loc.path, tag, "list")))
                .orElse(null);
      } catch (NoSuchElementException deletedMeanwhile) {
        continue;
      }
      if (digest != null) {
        refs.add(new ArtifactRef(repository, parseStated(digest, repository + ":" + tag)));
      }
    }
    return List.copyOf(refs);
  }

  /**
   * Records a reason to keep an artifact. The pin lives in this store instance: it keeps the
   * artifact's manifest and config in the cache (so it can be described while the registry is down)
   * and is what {@link #pins} reports; it does not stop the registry's own garbage collection.
   */
  @Override
  public void pin(ArtifactRef ref, String reason) {
    requireReason(reason);
    pins.computeIfAbsent(ref.toString(), k -> ConcurrentHashMap.newKeySet()).add(reason);
  }

  @Override
  public void unpin(ArtifactRef ref, String reason) {
    requireReason(reason);
    pins.computeIfPresent(
        ref.toString(),
        (k, reasons) -> {
          reasons.remove(reason);
          return reasons.isEmpty() ? null : reasons;
        });
  }

  // ---------------------------------------------------------------- beyond the SPI

  /** The reasons an artifact is pinned in this store; empty if none. */
  public Set<String> pins(ArtifactRef ref) {
    Set<String> reasons = pins.get(ref.toString());
    return reasons == null ? Set.of() : Set.copyOf(reasons);
  }

  /**
   * Every tag of a repository, as listed by the registry (all pages).
   *
   * @throws NoSuchElementException if the registry does not know the repository
   */
  public List<String> tags(String repository) {
    Location loc = locate(repository);
    List<String> all = new ArrayList<>();
    HttpUrl[] next = {null};
    do {
      HttpUrl page = next[0];
      RegistryClient.TagPage p =
          failover.run("tags", endpointsFor(loc), e -> client.tags(e, loc.path, page, "tags"));
      all.addAll(p.tags());
      next[0] = p.next();
    } while (next[0] != null);
    return all;
  }

  /**
   * The manifest of {@code platform} in the index {@code index}; an artifact that is not an index
   * is returned as is.
   *
   * @throws NoSuchElementException if the index has no manifest for the platform (the message lists
   *     those it has)
   */
  public ArtifactRef selectPlatform(ArtifactRef index, Platform platform) {
    Location loc = locate(index.repository());
    ContentCache.Entry e = manifest(index, loc, "resolve");
    Manifests.Manifest m = Manifests.parse(e.bytes(), e.mediaType(), index.toString());
    return m.isIndex() ? selectPlatform(index, m, platform) : index;
  }

  /** Releases the connections and scheduler this store created. */
  @Override
  public void close() {
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  // ---------------------------------------------------------------- internals

  private record Location(String registry, String path) {}

  private Location locate(String repository) {
    int slash = repository.indexOf('/');
    String first = slash < 0 ? "" : repository.substring(0, slash);
    if (slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
      return new Location(first, repository.substring(slash + 1));
    }
    if (defaultRegistry == null) {
      throw new InvalidSpecException(
          "artifact.repository",
          "'" + repository + "' names no registry host",
          "write it as host[:port]/path, or configure the OCI store's defaultRegistry");
    }
    return new Location(defaultRegistry, repository);
  }

  private List<Endpoint> endpointsFor(Location loc) {
    return endpoints.computeIfAbsent(
        loc.registry,
        registry -> {
          List<Endpoint> list = new ArrayList<>();
          list.add(endpoint(registry, ""));
          for (String mirror : mirrors.getOrDefault(registry, List.of())) {
            int slash = mirror.indexOf('/');
            list.add(
                endpoint(
                    slash < 0 ? mirror : mirror.substring(0, slash),
                    slash < 0 ? "" : mirror.substring(slash + 1)));
          }
          return List.copyOf(list);
        });
  }

  private Endpoint endpoint(String host, String prefix) {
    String scheme = insecure.contains(host) ? "http" : "https";
    HttpUrl base = HttpUrl.parse(scheme + "://" + host + "/");
    if (base == null) {
      throw new InvalidSpecException(
          "oci.registry",
          "'" + host + "' is not a valid host[:port]",
          "write a registry host such as registry.example.com or 127.0.0.1:5000");
    }
    CircuitBreaker breaker =
        breakers.computeIfAbsent(host, h -> CircuitBreaker.of("oci:" + h, breakerConfig));
    return new Endpoint(host, base, prefix, breaker);
  }

  /** The manifest with this digest, verified, from the cache or the registry. */
  private ContentCache.Entry manifest(ArtifactRef ref, Location loc, String operation) {
    ContentCache.Entry cached = cache.get(ref.toString());
    if (cached != null) {
      return cached;
    }
    RegistryClient.Fetched f =
        failover.run(
            operation,
            endpointsFor(loc),
            e -> client.getManifest(e, loc.path, ref.digest().toString(), operation));
    ref.digest().verify(f.body(), f.url());
    remember(ref, f.body(), f.contentType());
    return new ContentCache.Entry(f.body(), f.contentType());
  }

  private Manifests.Manifest remember(ArtifactRef ref, byte[] body, @Nullable String contentType) {
    Manifests.Manifest m = Manifests.parse(body, contentType, ref.toString());
    cache.put(ref.toString(), new ContentCache.Entry(body, m.mediaType()));
    if (!m.isIndex()) {
      for (Manifests.Descriptor d : m.children()) {
        String child = ref.repository() + "@" + d.digest();
        knownBlobs.add(child);
        parentOf.put(child, ref.toString());
      }
    }
    return m;
  }

  private byte[] smallBlob(ArtifactRef ref, Location loc, String operation) {
    ContentCache.Entry cached = cache.get(ref.toString());
    if (cached != null) {
      return cached.bytes();
    }
    try (InputStream in = openBlob(ref, loc, operation)) {
      return RegistryClient.readLimited(in, MAX_CONFIG_BYTES, "the image config " + ref);
    } catch (TooLargeException e) {
      throw new ResponseTooLargeException(operation, e.what(), e.limit());
    } catch (IOException e) {
      throw ProviderException.retryable(PROVIDER, operation, "reading " + ref + " failed: " + e, e);
    }
  }

  /**
   * Opens a blob; small ones are read, verified and cached at once, large ones verified as they
   * stream.
   */
  private InputStream openBlob(ArtifactRef ref, Location loc, String operation) {
    Response r =
        failover.run(
            operation,
            endpointsFor(loc),
            e -> client.openBlob(e, loc.path, ref.digest(), operation));
    // After a redirect this is a storage URL whose query may be a presigned signature.
    String subject = Urls.redact(r.request().url());
    long length = r.body().contentLength();
    if (length >= 0 && length <= MAX_CACHED_BLOB) {
      try (r) {
        byte[] bytes = r.body().bytes();
        ref.digest().verify(bytes, subject);
        cache.put(ref.toString(), new ContentCache.Entry(bytes, r.header("Content-Type")));
        return new ByteArrayInputStream(bytes);
      } catch (IOException e) {
        throw ProviderException.retryable(
            PROVIDER, operation, "reading " + subject + " failed: " + e, e);
      }
    }
    if (ref.digest().algorithm() != Digest.Algorithm.SHA256) {
      r.close();
      throw new InvalidSpecException(
          "artifact.digest",
          ref.digest() + " is not sha256",
          "the OCI store streams sha256 blobs only");
    }
    HashingSource hashing = HashingSource.sha256(r.body().source());
    BufferedSource checked =
        Okio.buffer(
            new ForwardingSource(hashing) {
              private boolean done;

              @Override
              public long read(Buffer sink, long byteCount) throws IOException {
                long n = super.read(sink, byteCount);
                if (n == -1 && !done) {
                  done = true;
                  Digest actual = Digest.of(Digest.Algorithm.SHA256, hashing.hash().hex());
                  if (!actual.equals(ref.digest())) {
                    throw new DigestMismatchException(subject, ref.digest(), actual);
                  }
                }
                return n;
              }

              @Override
              public void close() throws IOException {
                try {
                  super.close();
                } finally {
                  r.close();
                }
              }
            });
    return checked.inputStream();
  }

  private ArtifactRef selectPlatform(ArtifactRef index, Manifests.Manifest m, Platform p) {
    Manifests.Descriptor d =
        Manifests.select(m, p)
            .orElseThrow(
                () ->
                    new NoSuchElementException(
                        index
                            + " is a multi-platform index without a manifest for "
                            + p
                            + "; it has "
                            + Manifests.platforms(m)));
    return new ArtifactRef(index.repository(), d.digest());
  }

  private boolean isProtected(String key) {
    if (pins.containsKey(key)) {
      return true;
    }
    String parent = parentOf.get(key);
    return parent != null && pins.containsKey(parent);
  }

  private static Digest parseStated(String header, String subject) {
    try {
      return Digest.parse(header.trim(), "Docker-Content-Digest");
    } catch (InvalidSpecException e) {
      throw ProviderException.permanent(
          PROVIDER,
          "resolve",
          subject + " answered an invalid Docker-Content-Digest '" + header + "'",
          e);
    }
  }

  private static void requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidSpecException(
          "pin.reason", "is blank", "say why the artifact is kept, e.g. rollback-target:checkout");
    }
  }

  /** Builds an {@link OciArtifactStore}. Not thread-safe; every option may be set once. */
  public static final class Builder {
    private final Set<String> insecure = new LinkedHashSet<>();
    private final Map<String, List<String>> mirrors = new HashMap<>();
    private final Set<String> set = new HashSet<>();
    private @Nullable String defaultRegistry;
    private @Nullable Platform platform;
    private CredentialsProvider credentials = CredentialsProvider.anonymous();
    private InstantSource clock = InstantSource.system();
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable OkHttpClient http;
    private int maxAttempts = 3;
    private Duration backoff = Duration.ofMillis(200);
    private Duration timeout = Duration.ofSeconds(10);
    private int breakerMinimumCalls = 5;
    private Duration breakerOpenFor = Duration.ofSeconds(30);
    private int cacheEntries = 1024;

    private Builder() {}

    private void once(String option) {
      if (!set.add(option)) {
        throw new InvalidSpecException("oci." + option, "is set twice", "set each option once");
      }
    }

    /**
     * The registry for repositories written without a host. None by default: such names are
     * refused.
     */
    public Builder defaultRegistry(String host) {
      once("defaultRegistry");
      this.defaultRegistry = requireHost(host, "oci.defaultRegistry");
      return this;
    }

    /**
     * Hosts ({@code host[:port]}) reached over plain HTTP. Only for registries on a trusted
     * network.
     */
    public Builder insecure(String... hosts) {
      for (String h : hosts) {
        insecure.add(requireHost(h, "oci.insecure"));
      }
      return this;
    }

    /**
     * Ordered mirrors of a registry, each {@code host[:port][/path-prefix]}, tried in order when
     * the registry (or the previous mirror) fails retryably or has an open circuit.
     */
    public Builder mirrors(String registry, List<String> mirrorHosts) {
      String key = requireHost(registry, "oci.mirrors");
      if (mirrors.containsKey(key)) {
        throw new InvalidSpecException(
            "oci.mirrors." + key, "is set twice", "list all mirrors of a registry at once");
      }
      for (String m : mirrorHosts) {
        requireHost(m.contains("/") ? m.substring(0, m.indexOf('/')) : m, "oci.mirrors." + key);
      }
      mirrors.put(key, List.copyOf(mirrorHosts));
      return this;
    }

    /** Where credentials come from; anonymous by default. */
    public Builder credentials(CredentialsProvider credentials) {
      once("credentials");
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Makes {@link #resolve} follow multi-platform indexes to this platform's manifest. */
    public Builder platform(Platform platform) {
      once("platform");
      this.platform = Objects.requireNonNull(platform, "platform");
      return this;
    }

    /** The wall clock for token expiry and the circuit breakers; the system clock by default. */
    public Builder clock(InstantSource clock) {
      once("clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where retries wait for their backoff; by default a daemon thread the store owns. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      once("scheduler");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The HTTP client to build on (trust store, proxy, connection pool, timeouts). The store adds
     * its authenticator to a derived client and never closes the one given.
     */
    public Builder httpClient(OkHttpClient http) {
      once("httpClient");
      this.http = Objects.requireNonNull(http, "httpClient");
      return this;
    }

    /** Attempts per operation (1 = no retry) and the first backoff, doubled after each attempt. */
    public Builder retry(int maxAttempts, Duration initialBackoff) {
      once("retry");
      if (maxAttempts < 1) {
        throw new InvalidSpecException(
            "oci.retry.maxAttempts", "is " + maxAttempts, "use 1 or more");
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero()) {
        throw new InvalidSpecException(
            "oci.retry.backoff", "is " + initialBackoff, "use a positive duration such as 200ms");
      }
      this.maxAttempts = maxAttempts;
      this.backoff = initialBackoff;
      return this;
    }

    /** Connect and read timeout of each request (the whole call may take three times as long). */
    public Builder timeout(Duration timeout) {
      once("timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new InvalidSpecException(
            "oci.timeout", "is " + timeout, "use a positive duration such as 10s");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The circuit breaker of each endpoint: opens when at least half of the last calls (and at
     * least {@code minimumCalls}) failed retryably, and stays open for {@code openFor}.
     */
    public Builder circuitBreaker(int minimumCalls, Duration openFor) {
      once("circuitBreaker");
      if (minimumCalls < 1 || minimumCalls > 10) {
        throw new InvalidSpecException(
            "oci.circuitBreaker.minimumCalls", "is " + minimumCalls, "use 1..10");
      }
      this.breakerMinimumCalls = minimumCalls;
      this.breakerOpenFor = Objects.requireNonNull(openFor, "openFor");
      return this;
    }

    /**
     * How many manifests and small blobs to cache by digest; those of pinned artifacts are never
     * evicted.
     */
    public Builder cacheEntries(int entries) {
      once("cacheEntries");
      if (entries < 0) {
        throw new InvalidSpecException("oci.cacheEntries", "is " + entries, "use 0 or more");
      }
      this.cacheEntries = entries;
      return this;
    }

    /** Builds the store; no network I/O happens until the first call. */
    public OciArtifactStore build() {
      return new OciArtifactStore(this);
    }

    private static String requireHost(String host, String path) {
      if (host == null
          || host.isBlank()
          || host.contains("/")
          || HttpUrl.parse("https://" + host + "/") == null) {
        throw new InvalidSpecException(
            path,
            "'" + host + "' is not a registry host",
            "write host or host:port, e.g. registry.example.com or 127.0.0.1:5000");
      }
      return host.toLowerCase(Locale.ROOT);
    }
  }
}
