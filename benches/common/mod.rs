//! Shared by the bench binaries: a seeded generator of realistic entries
//! (title, username, password, URLs, tags, sometimes notes and an identity,
//! spread over twenty groups like `Clients/Acme`), a builder that writes
//! them into a vault through the library, a KeePass 2 XML writer for the
//! KeePassXC comparison, and a tiny timing harness (warm-up, then the
//! median of N runs). Plain `std::time::Instant`: no criterion, so the
//! benches build quickly on two cores.

use std::time::{Duration, Instant};

use baton::crypto::kdf::KdfParams;
use baton::secret::{Concealed, Passphrase};
use baton::vault::{self, CreateOptions, Entry, EntryId, Vault};
use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};

/// The passphrase of every bench vault.
pub const PASSPHRASE: &str = "correct horse battery staple";
/// A fixed "now" (2026-01-01T00:00:00Z) so runs are reproducible.
pub const NOW: i64 = 1_767_225_600;
/// The KDF used when the KDF itself is not what is measured.
pub const WEAK_KDF: KdfParams = KdfParams {
    memory_kib: 8,
    time: 1,
    parallelism: 1,
};

/// The firm's own e-mail domain.
const FIRM_DOMAIN: &str = "hartley-co.com";

/// Twenty groups and the e-mail/web domain their accounts live under.
pub const GROUPS: [(&str, &str); 20] = [
    ("Clients/Acme", "acme-corp.com"),
    ("Clients/Birchwood Dental", "birchwooddental.com"),
    ("Clients/Carter & Lowe LLP", "carterlowe.law"),
    ("Clients/Delta Freight", "deltafreight.net"),
    ("Clients/Evergreen Clinic", "evergreenclinic.org"),
    ("Clients/Fairview Accounting", "fairview-cpa.com"),
    ("Clients/Greenleaf Bakery", "greenleafbakery.com"),
    ("Clients/Harbor Insurance", "harborins.com"),
    ("Internal/IT", FIRM_DOMAIN),
    ("Internal/Finance", FIRM_DOMAIN),
    ("Internal/HR", FIRM_DOMAIN),
    ("Internal/Office", FIRM_DOMAIN),
    ("Infrastructure/Network", FIRM_DOMAIN),
    ("Infrastructure/Servers", FIRM_DOMAIN),
    ("Infrastructure/Backups", FIRM_DOMAIN),
    ("Cloud/AWS", FIRM_DOMAIN),
    ("Cloud/Microsoft 365", FIRM_DOMAIN),
    ("Cloud/Google Workspace", FIRM_DOMAIN),
    ("Vendors/Banking", FIRM_DOMAIN),
    ("Vendors/Telecom", FIRM_DOMAIN),
];

/// Services: title and login URL; `{d}` is replaced by the group's domain.
const SERVICES: [(&str, &str); 60] = [
    ("Payroll Portal", "https://payroll.{d}/login"),
    ("Webmail", "https://mail.{d}/"),
    ("Microsoft 365 Admin", "https://admin.microsoft.com/"),
    ("Google Workspace Admin", "https://admin.google.com/"),
    ("QuickBooks Online", "https://qbo.intuit.com/"),
    ("Xero", "https://login.xero.com/"),
    ("Router admin", "https://192.168.1.1/"),
    ("Synology NAS", "https://nas.{d}:5001/"),
    ("VPN", "https://vpn.{d}/remote/login"),
    ("Dropbox Business", "https://www.dropbox.com/login"),
    ("Slack", "https://{d}.slack.com/"),
    ("Zoom", "https://zoom.us/signin"),
    ("GitHub", "https://github.com/login"),
    ("AWS Console", "https://signin.aws.amazon.com/console"),
    ("Stripe", "https://dashboard.stripe.com/login"),
    ("PayPal Business", "https://www.paypal.com/signin"),
    ("Chase Business Online", "https://secure.chase.com/"),
    (
        "Bank of America CashPro",
        "https://cashproonline.bankofamerica.com/",
    ),
    ("ADP Workforce Now", "https://workforcenow.adp.com/"),
    ("Gusto", "https://app.gusto.com/login"),
    ("DocuSign", "https://account.docusign.com/"),
    ("Adobe Admin Console", "https://adminconsole.adobe.com/"),
    ("Salesforce", "https://login.salesforce.com/"),
    ("HubSpot", "https://app.hubspot.com/login"),
    ("Mailchimp", "https://login.mailchimp.com/"),
    ("GoDaddy DNS", "https://sso.godaddy.com/"),
    ("Cloudflare", "https://dash.cloudflare.com/login"),
    ("WordPress admin", "https://www.{d}/wp-admin/"),
    ("cPanel", "https://cpanel.{d}:2083/"),
    ("Printer web UI", "http://printer.{d}/"),
    ("Guest Wi-Fi", "http://unifi.{d}:8443/"),
    ("UniFi Controller", "https://unifi.{d}:8443/"),
    ("FortiGate firewall", "https://fw.{d}:10443/"),
    ("Veeam Backup", "https://backup.{d}:9443/"),
    (
        "Backblaze B2",
        "https://secure.backblaze.com/user_signin.htm",
    ),
    ("TeamViewer", "https://login.teamviewer.com/"),
    ("AnyDesk", "https://my.anydesk.com/"),
    ("Dentrix Ascend", "https://live.dentrixascend.com/"),
    ("MyChart", "https://mychart.{d}/"),
    ("Clio", "https://app.clio.com/"),
    ("LexisNexis", "https://signin.lexisnexis.com/"),
    ("Westlaw", "https://signon.thomsonreuters.com/"),
    ("Intuit ProConnect", "https://proconnect.intuit.com/"),
    ("Sage 50", "https://sage.{d}/"),
    ("FreshBooks", "https://my.freshbooks.com/"),
    ("Square POS", "https://squareup.com/login"),
    ("Shopify", "https://{d}.myshopify.com/admin"),
    ("Verizon Business", "https://sso.verizonenterprise.com/"),
    ("Comcast Business", "https://business.comcast.com/myaccount"),
    ("AT&T Business", "https://www.businessdirect.att.com/"),
    ("Ring Alarm", "https://account.ring.com/"),
    ("Nest", "https://home.nest.com/"),
    ("Okta", "https://{d}.okta.com/"),
    ("Duo Admin", "https://admin.duosecurity.com/"),
    ("Jira", "https://{d}.atlassian.net/"),
    ("Confluence", "https://{d}.atlassian.net/wiki"),
    ("Trello", "https://trello.com/login"),
    ("Asana", "https://app.asana.com/"),
    ("Zendesk", "https://{d}.zendesk.com/agent"),
    (
        "Domain registrar",
        "https://www.namecheap.com/myaccount/login/",
    ),
];

const QUALIFIERS: [&str; 12] = [
    "admin",
    "billing",
    "reception",
    "backup",
    "read-only",
    "owner",
    "service account",
    "front desk",
    "partner",
    "legacy",
    "test",
    "break-glass",
];

const FIRST: [&str; 16] = [
    "maria", "james", "li", "fatima", "john", "aisha", "carlos", "emma", "noah", "olga", "raj",
    "sofia", "tom", "yuki", "zoe", "ben",
];
const LAST: [&str; 16] = [
    "alvarez", "brown", "chen", "dubois", "evans", "fischer", "garcia", "hughes", "ito", "jones",
    "khan", "lopez", "miller", "novak", "okafor", "patel",
];

const TAGS: [&str; 15] = [
    "finance",
    "admin",
    "email",
    "banking",
    "cloud",
    "network",
    "hr",
    "payroll",
    "mfa",
    "shared",
    "legacy",
    "vendor",
    "billing",
    "backup",
    "remote-access",
];

const NOTES: [&str; 5] = [
    "Security question: name of first pet. Answer in the password history.",
    "Account number 4417-2291-08. Support line: +1 555 0100, PIN in custom field.",
    "Shared with the front desk; rotate when staff leave.",
    "Registered by the previous contractor; move to the firm's identity.",
    "Billing contact is the office manager. Renewal every March.",
];

const PASSWORD_CHARS: &[u8] =
    b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+-=?@^_~";

/// One generated account, in a tool-neutral shape.
pub struct Spec {
    pub id: [u8; 8],
    pub uuid: [u8; 16],
    pub group: &'static str,
    pub title: String,
    pub username: String,
    pub password: String,
    pub urls: Vec<String>,
    pub tags: Vec<String>,
    pub notes: String,
    pub identity: Option<String>,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// `n` accounts from `seed`: the same seed always gives the same accounts.
pub fn generate(n: usize, seed: u64) -> Vec<Spec> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (group, domain) = GROUPS[rng.random_range(0..GROUPS.len())];
        let (service, url) = *pick(&mut rng, &SERVICES);
        let first = *pick(&mut rng, &FIRST);
        let last = *pick(&mut rng, &LAST);
        let title = match rng.random_range(0..4u8) {
            0 => service.to_owned(),
            1 => format!("{service} ({})", pick(&mut rng, &QUALIFIERS)),
            2 => format!("{service} – {}.{last}", &first[..1]),
            _ => format!("{service} #{}", i % 97 + 1),
        };
        let username = match rng.random_range(0..4u8) {
            0 => format!("{first}.{last}@{domain}"),
            1 => format!("{}{last}", &first[..1]),
            2 => "admin".to_owned(),
            _ => format!("it@{domain}"),
        };
        let len = rng.random_range(16..=24);
        let password: String = (0..len)
            .map(|_| char::from(*pick(&mut rng, PASSWORD_CHARS)))
            .collect();
        let host = domain.split('.').next().unwrap_or(domain);
        let mut urls = vec![url.replace("{d}", if url.contains("//{d}.") { host } else { domain })];
        if rng.random_bool(0.1) {
            urls.push(format!("https://support.{domain}/"));
        }
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            let t = *pick(&mut rng, &TAGS);
            if !tags.iter().any(|x| x == t) {
                tags.push(t.to_owned());
            }
        }
        let notes = if rng.random_bool(0.15) {
            (*pick(&mut rng, &NOTES)).to_owned()
        } else {
            String::new()
        };
        let identity = rng.random_bool(0.3).then(|| format!("it@{FIRM_DOMAIN}"));
        let mut id = [0u8; 8];
        rng.fill_bytes(&mut id);
        let mut uuid = [0u8; 16];
        rng.fill_bytes(&mut uuid);
        out.push(Spec {
            id,
            uuid,
            group,
            title,
            username,
            password,
            urls,
            tags,
            notes,
            identity,
        });
    }
    out
}

/// A new vault (owner "owner", passphrase [`PASSPHRASE`]) holding `specs`,
/// and its sealed file bytes. `weak` must be set for parameters below the
/// floor. `seed` decides the keys and so the vault id: vaults that the CLI
/// opens on one machine need different seeds (it remembers each vault id's
/// access-log position and refuses a vault that seems rolled back).
pub fn build_vault(specs: Vec<Spec>, kdf: KdfParams, weak: bool, seed: u64) -> (Vault, Vec<u8>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let pass = Passphrase::from_slice(PASSPHRASE.as_bytes());
    let recovery = Passphrase::from_slice(b"RECOVERYCODEFORBENCHESONLY234567");
    let opts = CreateOptions {
        owner: "owner",
        firm_domain: Some(FIRM_DOMAIN.to_owned()),
        kdf,
        weak_kdf: weak,
        now: NOW,
    };
    let mut v = vault::create(opts, &pass, &recovery, &mut rng).expect("bench vault parameters");
    // Create the groups in a fixed order, then fill them.
    for (g, _) in GROUPS {
        v.ensure_group(g, &mut rng)
            .expect("owner may create groups");
    }
    for s in specs {
        let mut e = Entry::new(EntryId(s.id), s.title, NOW - 86_400, vault::FOUNDING_OWNER);
        e.username = s.username;
        e.password = Concealed::new(s.password);
        e.urls = s.urls;
        e.tags = s.tags;
        e.notes = Concealed::new(s.notes);
        e.identity = s.identity;
        v.add(s.group, e, &mut rng).expect("valid generated entry");
    }
    let bytes = v.seal(NOW, &mut rng).expect("owner can seal");
    (v, bytes)
}

fn xml_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

/// The same accounts as an unencrypted KeePass 2 XML file, the format
/// `keepassxc-cli import` reads: nested groups, one `<Entry>` per account.
pub fn keepass_xml(specs: &[Spec]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(specs.len() * 700 + 4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n");
    out.push_str("<KeePassFile>\n<Meta><Generator>baton-bench</Generator>");
    out.push_str("<DatabaseName>bench</DatabaseName></Meta>\n<Root>\n");
    let mut uuid_counter: u64 = 1;
    let mut next_uuid = || {
        let mut u = [0x42u8; 16];
        u[8..].copy_from_slice(&uuid_counter.to_be_bytes());
        uuid_counter += 1;
        b64(&u)
    };
    let _ = writeln!(out, "<Group><UUID>{}</UUID><Name>Root</Name>", next_uuid());
    // Top-level folders, each with its sub-groups.
    let mut tops: Vec<&str> = Vec::new();
    for (g, _) in GROUPS {
        let top = g.split('/').next().unwrap_or(g);
        if !tops.contains(&top) {
            tops.push(top);
        }
    }
    for top in tops {
        let _ = write!(out, "<Group><UUID>{}</UUID><Name>", next_uuid());
        xml_escape(top, &mut out);
        out.push_str("</Name>\n");
        for (g, _) in GROUPS
            .iter()
            .filter(|(g, _)| g.split('/').next() == Some(top))
        {
            let leaf = g.rsplit('/').next().unwrap_or(g);
            let _ = write!(out, "<Group><UUID>{}</UUID><Name>", next_uuid());
            xml_escape(leaf, &mut out);
            out.push_str("</Name>\n");
            for s in specs.iter().filter(|s| s.group == *g) {
                let _ = write!(out, "<Entry><UUID>{}</UUID><Tags>", b64(&s.uuid));
                xml_escape(&s.tags.join(";"), &mut out);
                out.push_str("</Tags>");
                let mut field = |key: &str, value: &str, protect: bool| {
                    let _ = write!(out, "<String><Key>{key}</Key>");
                    if protect {
                        out.push_str("<Value ProtectInMemory=\"True\">");
                    } else {
                        out.push_str("<Value>");
                    }
                    xml_escape(value, &mut out);
                    out.push_str("</Value></String>");
                };
                field("Title", &s.title, false);
                field("UserName", &s.username, false);
                field("Password", &s.password, true);
                field("URL", &s.urls[0], false);
                field("Notes", &s.notes, false);
                for (i, u) in s.urls.iter().enumerate().skip(1) {
                    field(&format!("KP2A_URL_{i}"), u, false);
                }
                if let Some(id) = &s.identity {
                    field("Identity", id, false);
                }
                out.push_str("</Entry>\n");
            }
            out.push_str("</Group>\n");
        }
        out.push_str("</Group>\n");
    }
    out.push_str("</Group>\n</Root>\n</KeePassFile>\n");
    out
}

/// Timings of one measured operation.
pub struct Stats {
    pub samples: Vec<Duration>,
}

impl Stats {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Stats { samples }
    }

    pub fn median(&self) -> Duration {
        let n = self.samples.len();
        if n == 0 {
            return Duration::ZERO;
        }
        if n % 2 == 1 {
            self.samples[n / 2]
        } else {
            (self.samples[n / 2 - 1] + self.samples[n / 2]) / 2
        }
    }

    pub fn min(&self) -> Duration {
        self.samples.first().copied().unwrap_or_default()
    }

    pub fn max(&self) -> Duration {
        self.samples.last().copied().unwrap_or_default()
    }
}

/// Runs `f` `warmup` times untimed, then `runs` times timed.
pub fn measure(warmup: usize, runs: usize, mut f: impl FnMut()) -> Stats {
    for _ in 0..warmup {
        f();
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    Stats::new(samples)
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}
