// SPDX-License-Identifier: Apache-2.0
package io.cutover.provider.nginx;

import io.cutover.api.ProviderException;
import io.cutover.api.TrafficSplit;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The upstream file of a service when NGINX loads {@code ngx_http_lua_module}: the servers and
 * weights live in a {@code lua_shared_dict} that {@code balancer_by_lua} reads for every request,
 * so a new split is one {@code PUT} to the admin location and no reload (a reload closes idle
 * keep-alive connections, which clients without retries see as failed requests).
 *
 * <p><b>State.</b> One string, so a reader never sees half of a change: line 1 the generation, line
 * 2 the weighted peers ({@code ip port weight}, comma-separated, weight &gt; 0 only), line 3 the
 * status JSON. The file embeds the state it was written with; the balancer and the status location
 * use whichever of the file's and the dictionary's states has the higher generation (the dictionary
 * survives reloads).
 *
 * <p><b>Balancing.</b> Smooth weighted round-robin (NGINX's own algorithm) per worker, reset when
 * the state changes, so the split is exact over every window of {@code sum(weights)} requests of a
 * worker.
 *
 * <p><b>Admin.</b> {@value #ADMIN_PATH} on the status listener (127.0.0.1 only) accepts a {@code
 * PUT} of a well-formed state whose generation is above the current one (409 otherwise). Inputs are
 * validated by {@link NginxRouter} before they reach a state or a file: release ids and hosts
 * cannot close the Lua long strings ({@code ]==]}).
 */
final class LuaUpstream {
  /** The admin location a state is {@code PUT} to. */
  static final String ADMIN_PATH = "/cutover/state";

  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private final String service;
  private final String dict;
  private final int statusPort;

  private LuaUpstream(String service, int statusPort) {
    this.service = service;
    this.dict = NginxRouter.upstream(service);
    this.statusPort = statusPort;
  }

  static LuaUpstream of(String service, int statusPort) {
    return new LuaUpstream(service, statusPort);
  }

  /**
   * The state string of a split: {@code balancer_by_lua} cannot resolve names, so hosts are
   * resolved here (the first address, as a literal).
   */
  String state(List<NginxRouter.Server> servers, long generation, String statusJson) {
    StringBuilder peers = new StringBuilder();
    for (NginxRouter.Server s : servers) {
      if (s.weight() <= 0) {
        continue;
      }
      if (peers.length() > 0) {
        peers.append(',');
      }
      peers.append(address(s.host())).append(' ').append(s.port()).append(' ').append(s.weight());
    }
    return generation + "\n" + peers + "\n" + "{\"mode\":\"lua\"," + statusJson.substring(1);
  }

  private String address(String host) {
    if (IPV4.matcher(host).matches()) {
      return host;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      return host.substring(1, host.length() - 1);
    }
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw ProviderException.retryable(
          NginxRouter.PROVIDER,
          "route",
          "cannot resolve backend host '"
              + NginxRouter.printable(host)
              + "' of "
              + service
              + " (NGINX's Lua balancer needs addresses): "
              + e.getMessage(),
          e);
    }
  }

  /** The whole upstream file: dictionary, upstream with the Lua balancer, status and admin. */
  String render(
      List<NginxRouter.Server> servers, long generation, String statusJson, TrafficSplit split) {
    String state = state(servers, generation, statusJson);
    String pick =
        "    local initial = [==["
            + state
            + "]==]\n"
            + "    local s = ngx.shared."
            + dict
            + ":get(\"state\")\n"
            + "    if not s or tonumber(s:match(\"^%d+\")) < tonumber(initial:match(\"^%d+\")) then"
            + " s = initial end\n";
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by Cutover (generation ")
        .append(generation)
        .append(", dynamic weights: the split lives in shared memory): ")
        .append(split)
        .append('\n');
    sb.append("lua_shared_dict ").append(dict).append(" 1m;\n");
    sb.append("upstream ").append(dict).append(" {\n");
    sb.append("  server 0.0.0.1;  # a placeholder: the Lua balancer picks every peer\n");
    sb.append("  balancer_by_lua_block {\n")
        .append(pick)
        .append("    local key = \"cutover.rr.")
        .append(dict)
        .append("\"\n")
        .append("    local c = package.loaded[key]\n")
        .append("    if not c or c.state ~= s then\n")
        .append("      c = { state = s, peers = {}, n = 0 }\n")
        .append("      local line = s:match(\"^%d+\\n([^\\n]*)\\n\") or \"\"\n")
        .append("      for host, port, w in line:gmatch(\"([^%s,]+) (%d+) (%d+)\") do\n")
        .append("        c.n = c.n + 1\n")
        .append(
            "        c.peers[c.n] = { host = host, port = tonumber(port), w = tonumber(w), cur = 0"
                + " }\n")
        .append("      end\n")
        .append("      package.loaded[key] = c\n")
        .append("    end\n")
        .append("    local total, best = 0, nil\n")
        .append("    for i = 1, c.n do\n")
        .append("      local p = c.peers[i]\n")
        .append("      p.cur = p.cur + p.w\n")
        .append("      total = total + p.w\n")
        .append("      if best == nil or p.cur > best.cur then best = p end\n")
        .append("    end\n")
        .append("    if best == nil then\n")
        .append("      ngx.log(ngx.ERR, \"cutover: no server with weight in ")
        .append(dict)
        .append("\")\n")
        .append("      return ngx.exit(502)\n")
        .append("    end\n")
        .append("    best.cur = best.cur - total\n")
        .append("    local ok, err = require(\"ngx.balancer\").set_current_peer(best.host,")
        .append(" best.port)\n")
        .append("    if not ok then\n")
        .append("      ngx.log(ngx.ERR, \"cutover: cannot set the peer: \", err)\n")
        .append("      return ngx.exit(502)\n")
        .append("    end\n")
        .append("  }\n");
    sb.append("  keepalive 32;\n}\n");
    sb.append("server {\n  listen 127.0.0.1:")
        .append(statusPort)
        .append(";\n  server_name cutover-status-")
        .append(service)
        .append(";\n");
    sb.append("  location = ")
        .append(NginxRouter.STATUS_PATH)
        .append(" {\n    default_type application/json;\n    content_by_lua_block {\n")
        .append(pick)
        .append("      ngx.print((s:match(\"^%d+\\n[^\\n]*\\n(.*)$\")))\n")
        .append("    }\n  }\n");
    sb.append("  location = ")
        .append(ADMIN_PATH)
        .append(" {\n    client_max_body_size 1m;\n    client_body_buffer_size 1m;\n")
        .append("    default_type text/plain;\n    content_by_lua_block {\n")
        .append("      if ngx.req.get_method() ~= \"PUT\" then\n")
        .append("        ngx.status = 405\n        ngx.say(\"PUT a state\")\n        return\n")
        .append("      end\n")
        .append("      ngx.req.read_body()\n")
        .append("      local body = ngx.req.get_body_data()\n")
        .append(
            "      if not body or not body:match(\"^%d+\\n[%w%.: ,]*\\n{\\\"mode\\\":\\\"lua\\\",[^\\n]*}$\")"
                + " then\n")
        .append("        ngx.status = 400\n        ngx.say(\"not a Cutover upstream state\")\n")
        .append("        return\n      end\n")
        .append("      local dict = ngx.shared.")
        .append(dict)
        .append("\n")
        .append("      local cur = dict:get(\"state\")\n")
        .append("      local initial = [==[")
        .append(state)
        .append("]==]\n")
        .append(
            "      if not cur or tonumber(cur:match(\"^%d+\")) < tonumber(initial:match(\"^%d+\"))")
        .append(" then cur = initial end\n")
        .append("      if tonumber(cur:match(\"^%d+\")) >= tonumber(body:match(\"^%d+\")) then\n")
        .append("        ngx.status = 409\n")
        .append("        ngx.say(\"generation \", cur:match(\"^%d+\"), \" is in effect\")\n")
        .append("        return\n      end\n")
        .append("      local ok, err = dict:set(\"state\", body)\n")
        .append("      if not ok then\n")
        .append("        ngx.status = 500\n        ngx.say(\"cannot store the state: \", err)\n")
        .append("        return\n      end\n")
        .append("      ngx.say(\"ok\")\n")
        .append("    }\n  }\n}\n");
    return sb.toString();
  }
}
