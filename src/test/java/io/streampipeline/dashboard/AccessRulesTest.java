package io.streampipeline.dashboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.config.DashboardAccess;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessRulesTest {
  private static final String TOKEN = "s3cret-token-for-tests-0123";
  private final AccessRules withToken = new AccessRules(new DashboardAccess("127.0.0.1", TOKEN,
      List.of("https://ops.example.com"), null, null));
  private final AccessRules open = new AccessRules(DashboardAccess.open());

  @Test
  void withoutATokenEveryoneIsLetIn() {
    assertFalse(open.tokenRequired());
    assertTrue(open.authorized(null, null));
  }

  @Test
  void aBearerHeaderOrTheSessionCookieLetsIn() {
    assertTrue(withToken.authorized("Bearer " + TOKEN, null));
    assertTrue(withToken.authorized("bearer " + TOKEN, null));
    assertTrue(withToken.authorized(null, withToken.sessionCookieValue()));
    assertFalse(withToken.authorized(null, null));
    assertFalse(withToken.authorized("Bearer " + TOKEN + "x", null));
    assertFalse(withToken.authorized("Bearer " + TOKEN.substring(1), null));
    assertFalse(withToken.authorized("Basic " + TOKEN, null));
    assertFalse(withToken.authorized(null, TOKEN), "the cookie is not the token itself");
    assertFalse(withToken.authorized(null, ""));
  }

  @Test
  void theCookieNeitherHoldsTheTokenNorOutlivesIt() {
    assertFalse(withToken.sessionCookieValue().contains(TOKEN));
    AccessRules rotated = new AccessRules(new DashboardAccess("127.0.0.1", TOKEN + "-new", List.of(), null, null));
    assertNotEquals(withToken.sessionCookieValue(), rotated.sessionCookieValue());
    assertFalse(rotated.authorized(null, withToken.sessionCookieValue()));
  }

  @Test
  void onlyTheOwnOriginAndListedOnesPass() {
    assertTrue(withToken.originAllowed(null, "http://127.0.0.1:8000"), "no Origin: same-origin page or a script");
    assertTrue(withToken.originAllowed("http://127.0.0.1:8000", "http://127.0.0.1:8000"));
    assertTrue(withToken.originAllowed("HTTPS://ops.example.com", "http://127.0.0.1:8000"));
    assertFalse(withToken.originAllowed("http://localhost:8000", "http://127.0.0.1:8000"));
    assertFalse(withToken.originAllowed("http://127.0.0.1:8001", "http://127.0.0.1:8000"));
    assertFalse(withToken.originAllowed("null", "http://127.0.0.1:8000"));
    assertFalse(withToken.originAllowed("https://ops.example.com.evil.test", "http://127.0.0.1:8000"));
  }

  @Test
  void withoutATokenOnlyAddressesLocalhostAndConfiguredNamesAreAnswered() {
    AccessRules rules = new AccessRules(new DashboardAccess("dash.internal", null, List.of("https://ops.example.com:8443"),
        null, null));
    assertTrue(rules.hostAllowed("127.0.0.1"));
    assertTrue(rules.hostAllowed("10.1.2.3"));
    assertTrue(rules.hostAllowed("[::1]"));
    assertTrue(rules.hostAllowed("localhost"));
    assertTrue(rules.hostAllowed("Dash.Internal"));
    assertTrue(rules.hostAllowed("ops.example.com"));
    assertFalse(rules.hostAllowed("evil.example"), "a rebound name");
    assertFalse(rules.hostAllowed(null));
    assertTrue(withToken.hostAllowed("evil.example"), "with a token the cookie guards instead");
  }

  @Test
  void theTokenIsNeverInTheConfigText() {
    assertFalse(new DashboardAccess("0.0.0.0", TOKEN, List.of(), null, null).toString().contains(TOKEN));
  }
}
