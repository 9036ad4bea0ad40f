package io.nexus.examples.order.http;

import io.javalin.http.Context;
import io.nexus.core.temporal.QueryContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Who is asking: the operator (a bearer token, compared in constant time), a customer naming itself with
 * {@code X-Customer-Id}, or anyone. This is a demo's notion of identity, enough to show where
 * authorization plugs in; a real service would verify signed tokens here.
 */
final class Access {

    private final byte[] operatorToken;

    Access(String operatorToken) {
        this.operatorToken = operatorToken.getBytes(StandardCharsets.UTF_8);
    }

    boolean isOperator(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(operatorToken, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    /** @throws ApiException 401 unless the request carries the operator's bearer token */
    void requireOperator(Context ctx) {
        if (!isOperator(ctx)) {
            throw new ApiException(401, "unauthorized", "This is an operator endpoint; send the operator token as "
                    + "'Authorization: Bearer <token>' (set with --operator-token or OPERATOR_TOKEN).",
                    Map.of("WWW-Authenticate", "Bearer realm=\"order-app operator\""));
        }
    }

    /** The principal given to the policy engine and the audit log. */
    Map<String, String> principal(Context ctx) {
        if (isOperator(ctx)) {
            return Map.of("role", "operator");
        }
        String customer = ctx.header("X-Customer-Id");
        if (customer != null) {
            return Map.of("role", "customer", "customerId", Requests.boundedId("X-Customer-Id", customer));
        }
        return Map.of("role", "anonymous");
    }

    /**
     * The client a rate limit counts against: the operator, the customer, or else the remote address, so
     * that changing a header cannot buy more queries than the address has.
     */
    QueryContext queryContext(Context ctx) {
        Map<String, String> principal = principal(ctx);
        String client = switch (principal.get("role")) {
            case "operator" -> "operator";
            case "customer" -> "customer:" + principal.get("customerId") + "@" + ctx.ip();
            default -> "address:" + ctx.ip();
        };
        return QueryContext.of(client, principal);
    }
}
