// The package ships no types; this is the one function InvenTag uses.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTP(S)_PROXY / ALL_PROXY, or '' when NO_PROXY matches or none is set. */
  export function getProxyForUrl(url: string | URL): string;
}
