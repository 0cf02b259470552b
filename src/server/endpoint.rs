//! Which push endpoints a sender POSTs to. An endpoint is a URL the visitor chose, so it is
//! hostile input: by default only an absolute `https://` URL with a public host on port 443,
//! and never an address inside the app server's own network, not even through DNS.

use super::address::{reach, Reach};
use crate::Error;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The longest endpoint taken, in bytes: push services' are under 1 KB.
const MAX_ENDPOINT_BYTES: usize = 8 * 1024;

/// The hosts of the push services browsers subscribe with (Chrome and Edge on FCM, Firefox's,
/// Safari's, Windows'), each with its subdomains: for [`Endpoints::only_hosts`].
///
/// ```
/// let endpoints = wasm_push::server::Endpoints::default().only_hosts(wasm_push::server::KNOWN_PUSH_SERVICES);
/// assert!(endpoints.check("https://fcm.googleapis.com/fcm/send/abc").is_ok());
/// assert!(endpoints.check("https://wns2-par02p.notify.windows.com/w/?token=x").is_ok());
/// assert!(endpoints.check("https://push.example/abc").is_err());
/// ```
pub const KNOWN_PUSH_SERVICES: &[&str] =
    &["fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com", "notify.windows.com"];

/// The endpoints a [`Sender`](super::Sender) sends to. The default takes only absolute
/// `https://` URLs with a host, no credentials, on port 443, whose host is not (and does not
/// resolve to) a loopback, private, link-local or otherwise non-public address. Each `allow_`
/// widens one rule; [`only_hosts`](Endpoints::only_hosts) narrows them to the push services an
/// app knows.
///
/// ```
/// use wasm_push::server::Endpoints;
/// let strict = Endpoints::default();
/// assert!(strict.check("https://push.example/abc").is_ok());
/// assert!(strict.check("http://push.example/abc").is_err());
/// assert!(strict.check("https://push.example:8443/abc").is_err());
/// assert!(strict.check("https://169.254.169.254/latest/meta-data").is_err());
/// assert!(strict.check("/x").is_err());
/// // A push service on loopback, as a test suite runs one:
/// assert!(Endpoints::loopback_for_tests().check("http://127.0.0.1:8090/push/1").is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    http: bool,
    any_port: bool,
    loopback: bool,
    internal: bool,
    hosts: Option<Vec<String>>,
}

impl Endpoints {
    /// A push service on this machine, as a test suite runs one: `http://` too, any port,
    /// loopback addresses (but not the rest of the private network).
    ///
    /// ```
    /// let endpoints = wasm_push::server::Endpoints::loopback_for_tests();
    /// assert!(endpoints.check("http://10.0.0.7/push").is_err());
    /// ```
    pub fn loopback_for_tests() -> Self {
        Endpoints::default().allow_http().allow_any_port().allow_loopback()
    }

    /// Takes `http://` endpoints too (on port 80 unless [`allow_any_port`](Endpoints::allow_any_port)).
    ///
    /// ```
    /// let endpoints = wasm_push::server::Endpoints::default().allow_http();
    /// assert!(endpoints.check("http://push.example/abc").is_ok());
    /// ```
    pub fn allow_http(mut self) -> Self {
        self.http = true;
        self
    }

    /// Takes ports other than the scheme's own (443, or 80 for `http://`), as a self-hosted
    /// push service may use.
    ///
    /// ```
    /// let endpoints = wasm_push::server::Endpoints::default().allow_any_port();
    /// assert!(endpoints.check("https://push.example:8443/abc").is_ok());
    /// ```
    pub fn allow_any_port(mut self) -> Self {
        self.any_port = true;
        self
    }

    /// Takes loopback destinations (`127.0.0.0/8`, `::1`, `localhost`).
    ///
    /// ```
    /// let endpoints = wasm_push::server::Endpoints::default().allow_loopback();
    /// assert!(endpoints.check("https://127.0.0.1/push").is_ok());
    /// ```
    pub fn allow_loopback(mut self) -> Self {
        self.loopback = true;
        self
    }

    /// Takes every internal destination: loopback, private (`10/8`, `172.16/12`, `192.168/16`,
    /// `fc00::/7`), link-local (`169.254/16`, cloud metadata services, `fe80::/10`) and the
    /// other non-public ranges. Only for a push service inside the app server's own network.
    ///
    /// ```
    /// let endpoints = wasm_push::server::Endpoints::default().allow_internal();
    /// assert!(endpoints.check("https://10.0.0.7/push").is_ok());
    /// ```
    pub fn allow_internal(mut self) -> Self {
        self.internal = true;
        self.loopback = true;
        self
    }

    /// Takes only endpoints on these hosts or their subdomains (`notify.windows.com` takes
    /// `wns2-par02p.notify.windows.com`), such as [`KNOWN_PUSH_SERVICES`].
    ///
    /// ```
    /// let endpoints = wasm_push::server::Endpoints::default().only_hosts(["push.example"]);
    /// assert!(endpoints.check("https://eu.push.example/abc").is_ok());
    /// assert!(endpoints.check("https://evilpush.example/abc").is_err());
    /// ```
    pub fn only_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let hosts = hosts.into_iter().map(|h| h.as_ref().trim().trim_end_matches('.').to_ascii_lowercase());
        self.hosts = Some(hosts.collect());
        self
    }

    /// Checks an endpoint against these rules, as [`Sender::send`](super::Sender::send) does
    /// before anything is sent: [`Error::InvalidEndpoint`] when it is not an absolute URL with
    /// a host, [`Error::EndpointNotAllowed`] when the rules refuse it. A host name's addresses
    /// are checked again when it is resolved, at the send.
    ///
    /// ```
    /// use wasm_push::{server::Endpoints, Error};
    /// assert!(matches!(Endpoints::default().check("not a url"), Err(Error::InvalidEndpoint(_))));
    /// assert!(matches!(Endpoints::default().check("https://[::1]/x"), Err(Error::EndpointNotAllowed(_))));
    /// ```
    pub fn check(&self, endpoint: &str) -> Result<(), Error> {
        self.parse(endpoint).map(drop)
    }

    /// The endpoint as a URL, once these rules take it.
    pub(crate) fn parse(&self, endpoint: &str) -> Result<Url, Error> {
        let invalid = |why: &str| Error::InvalidEndpoint(why.to_owned());
        let refused = |why: &str| Err(Error::EndpointNotAllowed(why.to_owned()));
        // Far beyond any push service's (theirs are under 1 KB), and short of what an HTTP
        // request can carry (64 KB), which would otherwise fail every send without a verdict.
        if endpoint.len() > MAX_ENDPOINT_BYTES {
            return Err(invalid("longer than any push service's endpoint"));
        }
        let url = Url::parse(endpoint.trim()).map_err(|_| invalid("not an absolute URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.http => {}
            "http" => return refused("http:// endpoints are not allowed (only https://)"),
            _ => return Err(invalid("not an http(s) URL")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("the URL carries credentials"));
        }
        let host = url.host().ok_or_else(|| invalid("the URL has no host"))?;
        if url.port().is_some() && !self.any_port {
            return refused("only the scheme's own port is allowed");
        }
        if let Some(ip) = address(&host) {
            if let Some(why) = self.refuses(ip) {
                return refused(why);
            }
        }
        if let Some(hosts) = &self.hosts {
            if !within(&url, hosts) {
                return refused("the host is not one of the allowed push services");
            }
        }
        Ok(url)
    }

    /// Whether `url`'s host is exactly one of [`KNOWN_PUSH_SERVICES`] (over `https://` on its
    /// own port, as they serve) or of the hosts these rules are narrowed to (on its scheme's
    /// own port, or any port on loopback, as a test's push service): a push service the app
    /// chose, not one a visitor did (a subdomain may be any visitor's choice, so it is not
    /// one, nor another port where rules allow any, and the list bounds how many are).
    pub(crate) fn is_known(&self, url: &Url) -> bool {
        let name = url.host_str().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
        // One of the browsers' is theirs only as they serve it, named again in the rules or not.
        let browsers = KNOWN_PUSH_SERVICES.contains(&name.as_str());
        let named = || self.hosts.as_ref().is_some_and(|hosts| hosts.contains(&name));
        (browsers && served(url)) || (!browsers && (url.port().is_none() || on_loopback(url)) && named())
    }

    /// Whether `url`'s push service is one the app chose, not a visitor: one of
    /// [`KNOWN_PUSH_SERVICES`] or its subdomains (their owners', as Windows' are) over
    /// `https://` on its own port, or exactly a host these rules are narrowed to (its
    /// subdomains may be anyone's). A fan-out keeps half its slots for these.
    pub(crate) fn is_apps(&self, url: &Url) -> bool {
        (within(url, KNOWN_PUSH_SERVICES) && served(url)) || self.is_known(url)
    }

    /// Why these rules refuse a destination address, if they do.
    fn refuses(&self, ip: IpAddr) -> Option<&'static str> {
        match reach(ip) {
            Reach::Public => None,
            Reach::Loopback if self.loopback => None,
            Reach::Loopback => Some("the endpoint is on loopback"),
            Reach::Internal if self.internal => None,
            Reach::Internal => Some("the endpoint is an internal (private, link-local or reserved) address"),
        }
    }

    /// The resolver the sender's client uses: a host name is refused when any of its addresses
    /// is one these rules refuse (so DNS cannot point a public-looking name inside).
    pub(crate) fn resolver(&self) -> CheckedResolver {
        CheckedResolver { rules: self.clone() }
    }
}

/// Resolves host names for the sender's client and refuses those that lead inside.
#[derive(Debug, Clone)]
pub(crate) struct CheckedResolver {
    rules: Endpoints,
}

/// Why the resolver gave no address: found in a send's error chain to blame the right thing.
#[derive(Debug)]
pub(crate) enum ResolveError {
    /// DNS has no address for the name (or could not be asked).
    Failed(std::io::Error),
    /// The name resolves to an address the rules refuse.
    Refused(&'static str),
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::Failed(e) => write!(f, "DNS lookup failed: {e}"),
            ResolveError::Refused(why) => write!(f, "the host resolves to a refused address: {why}"),
        }
    }
}

impl std::error::Error for ResolveError {}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let rules = self.rules.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // RFC 6761 §6.3: `localhost` and its subdomains are loopback, not asked of DNS (as
            // `check` takes them).
            let addresses: Vec<SocketAddr> = if is_localhost(&host) {
                [IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)]
                    .map(|ip| SocketAddr::new(ip, 0))
                    .to_vec()
            } else {
                tokio::net::lookup_host((host.as_str(), 0)).await.map_err(ResolveError::Failed)?.collect()
            };
            if let Some(why) = addresses.iter().find_map(|a| rules.refuses(a.ip())) {
                return Err(Box::new(ResolveError::Refused(why)) as _);
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// Whether `url` is `https://` on its own port, as the browsers' push services serve: any
/// other port of theirs (where rules allow any) is a visitor's choice, and one of thousands.
fn served(url: &Url) -> bool {
    url.scheme() == "https" && url.port().is_none()
}

/// The address a host stands for without asking DNS: itself, written as one, or loopback for
/// `localhost` and its subdomains (RFC 6761, whatever DNS says).
fn address(host: &url::Host<&str>) -> Option<IpAddr> {
    match *host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(name) => is_localhost(name).then_some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    }
}

/// Whether `url`'s host is a loopback name or address, however written.
fn on_loopback(url: &Url) -> bool {
    url.host().and_then(|host| address(&host)).is_some_and(|ip| reach(ip) == Reach::Loopback)
}

/// Whether a host name is `localhost` or one of its subdomains.
fn is_localhost(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether `url`'s host is one of `hosts` (lowercase, without a final dot) or a subdomain of one.
fn within<S: AsRef<str>>(url: &Url, hosts: &[S]) -> bool {
    let name = url.host_str().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
    hosts.iter().map(AsRef::as_ref).any(|h| name == h || name.strip_suffix(h).is_some_and(|s| s.ends_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_public_address_is_refused_by_default_whichever_way_it_is_written() {
        let rules = Endpoints::default();
        for endpoint in [
            "https://127.0.0.1/x",
            "https://127.1.2.3/x",
            "https://2130706433/x", // 127.0.0.1 as one number, which URL parsers accept
            "https://0x7f.1/x",
            "https://[::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://172.31.255.255/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://0.0.0.0/x",
            "https://100.64.0.1/x",
            "https://255.255.255.255/x",
            "https://224.0.0.1/x",
            "https://[fc00::1]/x",
            "https://[fd12:3456::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://[::ffff:169.254.169.254]/x",
            "https://[64:ff9b::a00:1]/x",
            "https://[2002:a00:1::]/x",
            "https://[::]/x",
            "https://localhost/x",
            "https://LocalHost./x",
            "https://app.localhost/x",
        ] {
            assert!(matches!(rules.check(endpoint), Err(Error::EndpointNotAllowed(_))), "{endpoint}");
        }
        for endpoint in
            ["https://8.8.8.8/x", "https://172.32.0.1/x", "https://[2606:4700::1111]/x", "https://push.example/x"]
        {
            assert_eq!(rules.check(endpoint), Ok(()), "{endpoint}");
        }
    }

    #[test]
    fn an_endpoint_too_long_for_any_push_service_is_invalid_so_its_row_is_deleted() {
        let rules = Endpoints::default().only_hosts(KNOWN_PUSH_SERVICES);
        let long = format!("https://fcm.googleapis.com/fcm/send/{}", "a".repeat(70_000));
        assert!(matches!(rules.parse(&long), Err(Error::InvalidEndpoint(_))));
        let just_over = format!("https://fcm.googleapis.com/{}", "a".repeat(MAX_ENDPOINT_BYTES));
        assert!(matches!(rules.parse(&just_over), Err(Error::InvalidEndpoint(_))));
        let real = format!("https://fcm.googleapis.com/fcm/send/{}", "a".repeat(500));
        assert!(rules.parse(&real).is_ok());
    }

    #[test]
    fn malformed_endpoints_are_invalid_and_policy_refusals_say_which_rule() {
        let rules = Endpoints::default();
        for endpoint in [
            "",
            "/x",
            "x",
            "push.example/x",
            "mailto:ops@your.site",
            "https://",
            "https://user:pw@push.example/x",
            "ftp://push.example/x",
            "file:///etc/passwd",
        ] {
            assert!(matches!(rules.check(endpoint), Err(Error::InvalidEndpoint(_))), "{endpoint:?}");
        }
        for endpoint in ["http://push.example/x", "https://push.example:444/x", "https://push.example:80/x"] {
            assert!(matches!(rules.check(endpoint), Err(Error::EndpointNotAllowed(_))), "{endpoint:?}");
        }
        // The scheme's own port written out is the same URL.
        assert_eq!(rules.check("https://push.example:443/x"), Ok(()));
        assert_eq!(rules.clone().allow_http().check("http://push.example:80/x"), Ok(()));
    }

    #[test]
    fn each_allowance_widens_only_its_own_rule() {
        let loopback = Endpoints::loopback_for_tests();
        assert_eq!(loopback.check("http://127.0.0.1:8090/push"), Ok(()));
        assert_eq!(loopback.check("http://[::1]:8090/push"), Ok(()));
        assert!(loopback.check("http://192.168.0.2:8090/push").is_err());
        assert!(loopback.check("http://169.254.169.254/").is_err());
        let internal = Endpoints::default().allow_internal();
        assert_eq!(internal.check("https://192.168.0.2/push"), Ok(()));
        assert!(internal.check("https://192.168.0.2:8443/push").is_err());
        assert!(internal.check("http://192.168.0.2/push").is_err());
    }

    #[test]
    fn only_the_listed_hosts_themselves_are_known_push_services_not_their_subdomains() {
        let rules = Endpoints::default().only_hosts(["push.example"]);
        let known = |endpoint: &str| rules.is_known(&Url::parse(endpoint).unwrap());
        assert!(known("https://fcm.googleapis.com/fcm/send/x"));
        assert!(known("https://push.example/x"));
        assert!(!known("https://a1.fcm.googleapis.com/x"), "a visitor can make up any number of those");
        assert!(!known("https://eu.push.example/x"));
        assert!(!known("https://other.example/x"));
    }

    #[test]
    fn the_apps_push_services_are_the_browsers_with_their_subdomains_and_the_named_hosts_themselves() {
        let rules = Endpoints::default().only_hosts(["push.example"]);
        let apps = |endpoint: &str| rules.is_apps(&Url::parse(endpoint).unwrap());
        assert!(apps("https://fcm.googleapis.com/fcm/send/x"));
        assert!(apps("https://wns2-par02p.notify.windows.com/w/?token=x"));
        assert!(apps("https://push.example/x"));
        assert!(!apps("https://visitor.push.example/x"));
        assert!(!apps("https://evilnotify.windows.com/x"));
        assert!(!apps("https://fcm.googleapis.com.evil.example/x"));
        assert!(!Endpoints::default().is_apps(&Url::parse("https://push.example/x").unwrap()));
        // Where rules allow any port or http://: the browsers' hosts only as they serve, each
        // of thousands of others being a visitor's choice.
        let any = Endpoints::default().allow_any_port().allow_http();
        let apps = |endpoint: &str| any.is_apps(&Url::parse(endpoint).unwrap());
        let known = |endpoint: &str| any.is_known(&Url::parse(endpoint).unwrap());
        assert!(apps("https://fcm.googleapis.com:443/x") && known("https://fcm.googleapis.com:443/x"));
        for endpoint in
            ["https://fcm.googleapis.com:1/x", "http://fcm.googleapis.com/x", "https://db5p.notify.windows.com:8443/x"]
        {
            assert!(!apps(endpoint) && !known(endpoint), "{endpoint}");
        }
        // Named in the rules as well, as an app with a push service of its own names them.
        let named = any.only_hosts(KNOWN_PUSH_SERVICES.iter().chain(&["push.example"]));
        let apps = |endpoint: &str| named.is_apps(&Url::parse(endpoint).unwrap());
        let known = |endpoint: &str| named.is_known(&Url::parse(endpoint).unwrap());
        assert!(apps("https://push.example/x") && known("https://push.example/x"));
        let tests = Endpoints::loopback_for_tests().only_hosts(["localhost"]);
        assert!(tests.is_apps(&Url::parse("http://localhost:8090/x").unwrap()));
        let tests = Endpoints::loopback_for_tests().only_hosts(["127.0.0.1"]);
        assert!(tests.is_apps(&Url::parse("http://127.0.0.1:8090/x").unwrap()));
        for endpoint in ["https://push.example:8443/x", "https://fcm.googleapis.com:1/x", "http://web.push.apple.com/x"]
        {
            assert!(!apps(endpoint) && !known(endpoint), "{endpoint}");
        }
    }

    #[test]
    fn only_hosts_takes_the_host_and_its_subdomains_and_nothing_that_merely_ends_alike() {
        let rules = Endpoints::default().only_hosts(KNOWN_PUSH_SERVICES);
        assert_eq!(rules.check("https://FCM.googleapis.com/fcm/send/x"), Ok(()));
        assert_eq!(rules.check("https://web.push.apple.com./x"), Ok(()));
        assert_eq!(rules.check("https://db5p.notify.windows.com/w/?token=x"), Ok(()));
        for endpoint in [
            "https://evilnotify.windows.com/x",
            "https://fcm.googleapis.com.evil.example/x",
            "https://googleapis.com/x",
        ] {
            assert!(matches!(rules.check(endpoint), Err(Error::EndpointNotAllowed(_))), "{endpoint}");
        }
    }

    #[tokio::test]
    async fn localhost_and_its_subdomains_resolve_to_loopback_without_dns_and_only_where_loopback_is_allowed() {
        let resolve = |rules: Endpoints, host: &'static str| async move {
            let addresses = rules.resolver().resolve(host.parse().unwrap()).await;
            addresses.map(|addresses| addresses.map(|a| a.ip()).collect::<Vec<_>>()).map_err(|e| e.to_string())
        };
        let loopback = vec![IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)];
        for host in ["localhost", "push1.localhost", "A.B.LOCALHOST."] {
            assert_eq!(resolve(Endpoints::loopback_for_tests(), host).await, Ok(loopback.clone()), "{host}");
            let refused = resolve(Endpoints::default(), host).await;
            assert!(refused.as_ref().is_err_and(|e| e.contains("loopback")), "{host}: {refused:?}");
        }
    }
}
