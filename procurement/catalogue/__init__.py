"""The 政府购买服务指导性目录 (rule 7): what may be bought as a service."""
