import { describe, expect, it } from "vitest";
import { csvLine } from "../csv";
import { maskPhone } from "../mask-phone";

describe("csvLine", () => {
  it("quotes separators and quotes, and defuses spreadsheet formulas", () => {
    // Prepare
    const cells = [42, "plain", 'say "hi"', "a,b", '=HYPERLINK("x")', "-1", null];
    // Act
    const line = csvLine(cells);
    // Assess
    expect(line).toBe('42,plain,"say ""hi""","a,b","\'=HYPERLINK(""x"")",\'-1,\r\n');
  });
});

describe("maskPhone", () => {
  it("keeps the prefix and the last four digits only", () => {
    // Prepare
    const phones = ["01012345678", "010-9876-5432", "+82 10 1111 2222", "0111234567", "12345"];
    // Act
    const masked = phones.map(maskPhone);
    // Assess
    expect(masked).toEqual(["010-****-5678", "010-****-5432", "010-****-2222", "011-****-4567", "*****"]);
  });
});
