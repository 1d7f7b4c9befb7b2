//! The built-in `tcp` check: ready once a TCP connection to the container's port
//! (on its ship's address) is accepted. Options: `port`, the name of one of the
//! container's TCP ports. maestro owns `max_wait` and the retries.

use maestro_plugin_support::{Options, PortRef, external_port};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use wasip2::clocks::monotonic_clock::subscribe_duration;
use wasip2::io::poll::poll;
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

wit_bindgen::generate!({ path: "../../wit", world: "check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::types::{Protocol, Target};

/// How long one connection attempt may take (MaestroNG used one second).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

struct Tcp;

impl Guest for Tcp {
    fn probe(target: Target) -> Outcome {
        let port = match target_port(&target) {
            Ok(port) => port,
            Err(reason) => return Outcome::Failed(reason),
        };
        let ip: IpAddr = match target.address.parse() {
            Ok(ip) => ip,
            Err(_) => return Outcome::Failed(format!("{:?} is not an IP address", target.address)),
        };
        let addr = SocketAddr::new(ip, port);
        match connect(addr, CONNECT_TIMEOUT) {
            Ok(()) => Outcome::Ready,
            Err(reason) => Outcome::NotReady(format!("cannot connect to {addr}: {reason}")),
        }
    }
}

/// Opens (and closes) one TCP connection, giving up after `timeout`.
fn connect(addr: SocketAddr, timeout: Duration) -> Result<(), String> {
    let (family, remote) = match addr {
        SocketAddr::V4(v4) => {
            let [a, b, c, d] = v4.ip().octets();
            let address = Ipv4SocketAddress {
                port: v4.port(),
                address: (a, b, c, d),
            };
            (IpAddressFamily::Ipv4, IpSocketAddress::Ipv4(address))
        }
        SocketAddr::V6(v6) => {
            let s = v6.ip().segments();
            let address = Ipv6SocketAddress {
                port: v6.port(),
                flow_info: 0,
                address: (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
                scope_id: v6.scope_id(),
            };
            (IpAddressFamily::Ipv6, IpSocketAddress::Ipv6(address))
        }
    };
    let network = instance_network();
    let socket = create_tcp_socket(family).map_err(describe)?;
    socket.start_connect(&network, remote).map_err(describe)?;
    let deadline = subscribe_duration(timeout.as_nanos() as u64);
    loop {
        match socket.finish_connect() {
            Ok(_streams) => return Ok(()),
            Err(ErrorCode::WouldBlock) => {
                let ready = socket.subscribe();
                let woken = poll(&[&ready, &deadline]);
                if !woken.contains(&0) {
                    return Err(format!("no answer within {}s", timeout.as_secs_f64()));
                }
            }
            Err(code) => return Err(describe(code)),
        }
    }
}

fn describe(code: ErrorCode) -> String {
    match code {
        ErrorCode::ConnectionRefused => "connection refused".into(),
        ErrorCode::ConnectionReset => "connection reset".into(),
        ErrorCode::RemoteUnreachable => "unreachable".into(),
        ErrorCode::Timeout => "timed out".into(),
        ErrorCode::AccessDenied => "denied by maestro".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

fn target_port(target: &Target) -> Result<u16, String> {
    let options = Options::parse(&target.options)?;
    let ports: Vec<PortRef> = target
        .ports
        .iter()
        .map(|p| PortRef {
            name: &p.name,
            external: p.external,
            tcp: p.protocol == Protocol::Tcp,
        })
        .collect();
    external_port(&options, &ports, false)
}

export!(Tcp);
