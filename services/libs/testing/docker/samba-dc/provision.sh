#!/bin/sh
# Provisions the test domain into $1 (see src/local/samba-template.ts, which
# does the same for local mode): admin password in $1/nes-admin-password,
# CA in $1/tls/ca.pem, server certificate with a subjectAltName for dc1.nes.test.
set -eu
dir=$1
password="Nes1-$(openssl rand -base64 18 | tr '+/' '-_' | tr -d '=')"
samba-tool domain provision --targetdir="$dir" --realm=NES.TEST --domain=NES --host-name=DC1 \
  --adminpass="$password" --server-role=dc --dns-backend=NONE --use-rfc2307 >/dev/null

mkdir -p "$dir/tls" "$dir/log" "$dir/run"
cd "$dir/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=NES Test CA' \
  -keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=dc1.nes.test -keyout key.pem -out server.csr 2>/dev/null
printf '%s\n' 'subjectAltName=DNS:dc1.nes.test,DNS:nes.test' 'basicConstraints=CA:FALSE' \
  'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
  -extfile server.ext -out cert.pem 2>/dev/null
chmod 600 key.pem
rm -f ca.key ca.srl server.csr server.ext

# Inside a container the DC listens on every interface; paths stay in $dir.
cat >"$dir/etc/smb.conf" <<CONF
[global]
	netbios name = DC1
	realm = NES.TEST
	workgroup = NES
	server role = active directory domain controller
	server services = ldap, cldap, kdc
	idmap_ldb:use rfc2307 = yes
	ldap server require strong auth = yes
	tls enabled = yes
	tls keyfile = $dir/tls/key.pem
	tls certfile = $dir/tls/cert.pem
	tls cafile = $dir/tls/ca.pem
	binddns dir = $dir/bind-dns
	cache directory = $dir/cache
	lock directory = $dir
	state directory = $dir/state
	private dir = $dir/private
	pid directory = $dir/run
	ncalrpc dir = $dir/run/ncalrpc
	winbindd socket directory = $dir/run/winbindd
	log level = 1

[sysvol]
	path = $dir/state/sysvol
	read only = No

[netlogon]
	path = $dir/state/sysvol/nes.test/scripts
	read only = No
CONF

samba-tool domain passwordsettings set --complexity=off --history-length=0 --min-pwd-age=0 \
  --account-lockout-threshold=3 -s "$dir/etc/smb.conf" >/dev/null
umask 077
printf '%s\n' "$password" >"$dir/nes-admin-password"
