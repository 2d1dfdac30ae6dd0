<#
.SYNOPSIS
    Writes a CSV of synthetic workers shaped like samples/hr-workers.csv, for load tests and benchmarks.
.EXAMPLE
    ./samples/New-SyntheticWorkerCsv.ps1 -Count 100000 -Path ./out/workers-100k.csv
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [ValidateRange(1, 10000000)]
    [int] $Count,

    [Parameter(Mandatory)]
    [string] $Path,

    # Same seed, same file.
    [int] $Seed = 42
)

$first = 'Ava', 'Liam', 'Noah', 'Mia', 'Ethan', 'Zoë', 'Lucas', 'Amara', 'Kenji', 'Sofia', 'Mateo', 'Priya'
$last = 'Okafor', 'Lindqvist', 'García', 'Nguyen', "O'Brien", 'Müller', 'Kowalski', 'Haddad', 'Tanaka', 'Rossi'
$departments = 'Finance', 'Sales', 'Product Engineering', 'People', 'Operations'
$random = [System.Random]::new($Seed)
$target = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
$writer = [System.IO.StreamWriter]::new($target, $false, [System.Text.UTF8Encoding]::new($false), 65536)
try {
    $writer.Write("WorkerID,WorkerStatus,WorkerType,UserID,FirstName,LastName,FullName,ManagerID,HireDate,Department,Division,CostCenter,Company,JobTitle,StreetAddress,City,CountryCode,ZipCode,OfficePhone`n")
    for ($i = 0; $i -lt $Count; $i++) {
        $f = $first[$random.Next($first.Count)]
        $l = $last[$random.Next($last.Count)]
        $id = 100000 + $i
        $manager = if ($i -lt 10) { '' } else { 100000 + [int][math]::Floor($i / 10) }
        # Every tenth street has a comma, so the file exercises CSV quoting.
        $street = if ($i % 10 -eq 0) { '"{0} Quay Street, Unit {1}"' -f ($i % 900 + 1), ($i % 7) } else { '{0} Harbour Road' -f ($i % 900 + 1) }
        $phone = if ($i % 7 -eq 3) { '' } else { '+1-555-{0:D4}' -f ($i % 10000) }
        $writer.Write(('{0},{1},{2},w{0}@contoso.com,{3},{4},{3} {4},{5},20{6:D2}-0{7}-15,{8},Division {9},CC{10},Contoso,Title {11},{12},City {13},US,{14},{15}' -f
                $id, $(if ($i % 6 -eq 0) { 'Inactive' } else { 'Active' }), $(if ($i % 5 -eq 2) { 'Contractor' } elseif ($i % 5 -eq 4) { 'Intern' } else { 'Employee' }),
                $f, $l, $manager, (10 + $i % 14), (1 + $i % 9), $departments[$i % 5], ($i % 12), (1000 + $i % 50), ($i % 40), $street, ($i % 300), (10000 + $i % 89999), $phone) + "`n")
    }
}
finally {
    $writer.Dispose()
}
Get-Item -LiteralPath $target
